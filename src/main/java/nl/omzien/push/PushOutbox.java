package nl.omzien.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;

/**
 * The push outbox: other capabilities call {@link #enqueue} (or {@link #enqueueAll} for several pushes, with a
 * constant number of statements) inside their own transaction, so a notification exists if and only if the change
 * that caused it committed; {@link PushWorker} delivers it later.
 *
 * <p>Rules applied at enqueue time, with the outbox's {@link Clock}:
 * <ul>
 *   <li><b>quiet hours</b>, the person's own ({@link #setQuietHours}) or else {@link PushConfig#quietHours()}
 *       (default 22:00-08:00 Utrecht time): a
 *       non-urgent message is due at the end of the quiet period; an urgent one (only for kinds that
 *       {@linkplain PushKind#mayBeUrgent() may be urgent}) is due at once;</li>
 *   <li><b>offer cap</b>: at most {@link PushConfig#offerCap()} {@code offer_made} per user per rolling 24 h;
 *       past it the row is written with status {@code suppressed} and last_error {@code capped}, and never
 *       sent (it is not a dead letter: nothing failed). Counting takes a per-user transaction lock (a batch
 *       takes all of its users' locks in one statement, in uuid order), so concurrent offer rounds cannot
 *       overshoot or deadlock.</li>
 * </ul>
 */
public final class PushOutbox {
    /** last_error of a message suppressed by the offer cap. */
    public static final String CAPPED = "capped";

    /** Every push of a batch in one statement: one array per column, all of the same length. */
    private static final String INSERT = """
            insert into push_outbox (id, user_id, kind, urgent, offer_id, request_id, activity_id, params, status,
                                     due_at, created_at, last_error, not_before, attempts, lease_until, claim_id)
            select id, user_id, kind, urgent, offer_id, request_id, activity_id, params::jsonb, status, due_at, $11,
                   last_error, not_before, case when status = 'sending' then 1 else 0 end,
                   case when status = 'sending' then $14::timestamptz end,
                   case when status = 'sending' then $15::uuid end
              from unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], $5::uuid[], $6::uuid[], $7::uuid[],
                          $8::text[], $9::text[], $10::timestamptz[], $12::text[], $13::timestamptz[])
                   as p (id, user_id, kind, urgent, offer_id, request_id, activity_id, params, status, due_at,
                         last_error, not_before)
            """;
    /**
     * Per user of a batch: their own quiet hours (null: the default; no row: no profile) and, for those in $2,
     * how many offer pushes they got in the rolling window (read after their cap locks are held), counted up to
     * the cap ($4) only: the cap is all a batch compares it with, and a volunteer whose offers a load run or a busy
     * wijk keeps suppressing has many more rows in the window (the count read them all, ~350 buffers a call after
     * two minutes of creating; issue #6). Since V19 it reads them from an index of the rows the cap counts only.
     *
     * <p>{@code unnest((select $1))}, not {@code unnest($1)}: a plan made for the actual values counts a constant
     * array's elements, the cached generic plan assumes 10, so for the usual 3-5 people every value-specific plan
     * looked cheaper and PostgreSQL planned this statement again on every call (planning was ~80 % of its database
     * time in the accept run; issue #6). Behind a sub-select both plans assume 10, and the generic one is kept after
     * the first five calls.
     */
    static final String FACTS = """
            select u.id, a.quiet_start, a.quiet_end,
                   case when u.id = any ($2::uuid[]) then
                     (select count(*) from (select from push_outbox p
                                             where p.user_id = u.id and p.kind = 'offer_made' and p.created_at > $3
                                               and p.status <> 'suppressed'
                                             limit $4) sent)
                   end as offers
              from unnest((select $1::uuid[])) as u (id) left join app_user a on a.id = u.id
            """;
    private static final String SET_QUIET_HOURS = """
            update app_user set quiet_start = $2, quiet_end = $3, updated_at = now()
             where id = $1 and deleted_at is null returning id
            """;
    // Waiting, not being sent, not urgent, and written since not_before exists (older rows keep their time).
    private static final String WAITING = """
            select id, not_before from push_outbox
             where user_id = $1 and status = 'pending' and not urgent and not_before is not null
             for update
            """;
    private static final String MOVE = "update push_outbox set due_at = $2 where id = $1";
    // The offer-cap locks of a batch's users, in one statement and always in the same (uuid) order, so two
    // transactions locking overlapping users cannot deadlock. A volatile select list is evaluated after the sort.
    private static final String LOCK_USERS = """
            select pg_advisory_xact_lock(hashtextextended('push-cap:' || u::text, 0))
              from unnest($1::uuid[]) as u order by u
            """;
    private static final String DEAD_LETTERS = """
            select id, user_id, kind, urgent, attempts, last_error, created_at, due_at from push_outbox
             where status = 'dead' and ($1::timestamptz is null or (created_at, id) < ($1, $2::uuid))
             order by created_at desc, id desc limit $3
            """;
    private static final String RETRY = """
            update push_outbox set status = 'pending', attempts = 0, due_at = $2, last_error = null,
                                   lease_until = null, claim_id = null
             where id = $1 and status = 'dead' returning id
            """;

    private final Pool pool;
    private final PushTemplates templates;
    private final PushConfig config;
    private final Clock clock;
    /** The worker that takes pushes due at once when their transaction commits (handoff), if any. */
    private volatile PushWorker handoff;

    public PushOutbox(Pool pool, PushTemplates templates, PushConfig config, Clock clock) {
        this.pool = pool;
        this.templates = templates;
        this.config = config;
        this.clock = clock;
    }

    /** Hands pushes due at once to {@code worker} ({@link PushWorker}'s handoff), while it takes them. */
    void handOffTo(PushWorker worker) {
        this.handoff = worker;
    }

    /** One push to write: for whom, what, and not before when ({@code null}: now). */
    public record Push(UUID userId, PushKind kind, boolean urgent, Map<PushRef, UUID> ids, PushParams params,
                       Instant notBefore) {
        public Push {
            Objects.requireNonNull(userId, "userId");
        }

        public Push(UUID userId, PushKind kind, boolean urgent, Map<PushRef, UUID> ids, PushParams params) {
            this(userId, kind, urgent, ids, params, null);
        }
    }

    /**
     * Writes a push for {@code userId} in the caller's transaction {@code tx}. Checks at once that the ids
     * are exactly the kind's {@link PushKind#refs()} and that the texts render with {@code params}, so a
     * malformed notification fails the caller's change instead of becoming a dead letter.
     *
     * @param urgent honoured only for kinds that may be urgent; urgent messages ignore quiet hours
     * @return the messageId (the outbox row id, also the {@code messageId} in the data payload)
     */
    public Future<UUID> enqueue(SqlConnection tx, UUID userId, PushKind kind, boolean urgent, Map<PushRef, UUID> ids,
                                PushParams params) {
        return enqueue(tx, userId, kind, urgent, ids, params, null);
    }

    /**
     * As {@link #enqueue(SqlConnection, UUID, PushKind, boolean, Map, PushParams)}, not sent before
     * {@code notBefore} (e.g. a reminder 24 hours ahead); null means now. Quiet hours apply from then on.
     */
    public Future<UUID> enqueue(SqlConnection tx, UUID userId, PushKind kind, boolean urgent, Map<PushRef, UUID> ids,
                                PushParams params, Instant notBefore) {
        return enqueueAll(tx, List.of(new Push(userId, kind, urgent, ids, params, notBefore))).map(all -> all.get(0));
    }

    /**
     * Writes all {@code pushes} in the caller's transaction, each exactly as {@link #enqueue} would one after the
     * other (quiet hours, urgency, the offer cap counting earlier pushes of the same batch), with at most three
     * statements whatever their number: the offer-cap locks (only when there are offer pushes), the users' quiet
     * hours and offer counts (only when needed), and one insert. Every push is checked before anything is written;
     * one that does not render fails the whole batch.
     *
     * @return the messageIds, in the order of {@code pushes}
     */
    public Future<List<UUID>> enqueueAll(SqlConnection tx, List<Push> pushes) {
        if (pushes.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<UUID> messageIds = new ArrayList<>(pushes.size());
        Set<UUID> needHours = new HashSet<>();
        Set<UUID> capped = new TreeSet<>();
        try {
            for (Push push : pushes) {
                UUID messageId = Ids.next();
                PushMessage.dataPayload(messageId, push.kind(), false, push.ids());
                templates.check(push.kind(), push.params());
                messageIds.add(messageId);
                if (!effectiveUrgent(push)) {
                    needHours.add(push.userId());
                }
                if (push.kind() == PushKind.OFFER_MADE) {
                    capped.add(push.userId());
                }
            }
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        Instant now = clock.instant();
        Future<Void> locked = capped.isEmpty() ? Future.succeededFuture()
                : tx.preparedQuery(LOCK_USERS).execute(Tuple.of(capped.toArray(UUID[]::new))).mapEmpty();
        // Sent right behind the locks, without waiting for them (pipelined on the connection): PostgreSQL reads a
        // statement only when the one before it has finished, so the counts are read, with a snapshot taken then,
        // after the locks are held. One round trip instead of two.
        Future<Map<UUID, UserFacts>> facts = facts(tx, needHours, capped, now);
        return Future.all(locked, facts)
                .compose(v -> insert(tx, pushes, messageIds, facts.result(), now))
                .map(messageIds);
    }

    private static boolean effectiveUrgent(Push push) {
        return push.urgent() && push.kind().mayBeUrgent();
    }

    /** What a batch needs to know per user: their quiet hours, and offer pushes in the window (when capped). */
    private record UserFacts(QuietHours hours, long offers) {
    }

    private Future<Map<UUID, UserFacts>> facts(SqlConnection tx, Set<UUID> needHours, Set<UUID> capped, Instant now) {
        if (needHours.isEmpty() && capped.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Set<UUID> users = new HashSet<>(needHours);
        users.addAll(capped);
        return tx.preparedQuery(FACTS)
                .execute(Tuple.of(users.toArray(UUID[]::new), capped.toArray(UUID[]::new),
                        utc(now.minus(1, ChronoUnit.DAYS)), config.offerCap()))
                .map(rows -> {
                    Map<UUID, UserFacts> facts = new HashMap<>();
                    for (Row row : rows) {
                        Long offers = row.getLong("offers");
                        facts.put(row.getUUID("id"), new UserFacts(QuietHours.orDefault(row.getLocalTime("quiet_start"),
                                row.getLocalTime("quiet_end"), config.quietHours()), offers == null ? 0 : offers));
                    }
                    return facts;
                });
    }

    private Future<Void> insert(SqlConnection tx, List<Push> pushes, List<UUID> messageIds, Map<UUID, UserFacts> facts,
                                Instant now) {
        int n = pushes.size();
        UUID[] users = new UUID[n];
        String[] kinds = new String[n];
        Boolean[] urgent = new Boolean[n];
        UUID[] offers = new UUID[n];
        UUID[] requests = new UUID[n];
        UUID[] activities = new UUID[n];
        String[] params = new String[n];
        String[] statuses = new String[n];
        OffsetDateTime[] due = new OffsetDateTime[n];
        String[] errors = new String[n];
        OffsetDateTime[] notBefore = new OffsetDateTime[n];
        // Offer pushes so far per user: the count read under the lock plus the batch's own unsuppressed ones.
        Map<UUID, Long> offerCounts = new HashMap<>();
        PushWorker worker = handoff;
        boolean handing = worker != null && worker.takesHandoffs();
        List<PushWorker.Claimed> handed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Push push = pushes.get(i);
            boolean isUrgent = effectiveUrgent(push);
            Instant from = push.notBefore() != null && push.notBefore().isAfter(now) ? push.notBefore() : now;
            boolean over = false;
            if (push.kind() == PushKind.OFFER_MADE) {
                long sent = offerCounts.computeIfAbsent(push.userId(), u -> facts.get(u).offers());
                over = sent >= config.offerCap();
                if (!over) {
                    offerCounts.put(push.userId(), sent + 1);
                }
            }
            users[i] = push.userId();
            kinds[i] = push.kind().wireName();
            urgent[i] = isUrgent;
            offers[i] = push.ids().get(PushRef.OFFER);
            requests[i] = push.ids().get(PushRef.REQUEST);
            activities[i] = push.ids().get(PushRef.ACTIVITY);
            JsonObject paramsJson = paramsToJson(push.params());
            params[i] = paramsJson.encode();
            Instant dueAt = isUrgent ? from : hoursOf(facts, push.userId()).deferred(from);
            boolean handNow = !over && handing && !dueAt.isAfter(now);
            statuses[i] = over ? "suppressed" : handNow ? "sending" : "pending";
            if (handNow) {
                handed.add(new PushWorker.Claimed(messageIds.get(i), push.userId(), kinds[i], isUrgent, paramsJson,
                        push.ids(), 1));
            }
            due[i] = utc(dueAt);
            errors[i] = over ? CAPPED : null;
            notBefore[i] = utc(from);
        }
        return tx.preparedQuery(INSERT).execute(Tuple.tuple()
                        .addArrayOfUUID(messageIds.toArray(UUID[]::new))
                        .addArrayOfUUID(users)
                        .addArrayOfString(kinds)
                        .addArrayOfBoolean(urgent)
                        .addArrayOfUUID(offers)
                        .addArrayOfUUID(requests)
                        .addArrayOfUUID(activities)
                        .addArrayOfString(params)
                        .addArrayOfString(statuses)
                        .addArrayOfOffsetDateTime(due)
                        .addOffsetDateTime(utc(now))
                        .addArrayOfString(errors)
                        .addArrayOfOffsetDateTime(notBefore)
                        .addOffsetDateTime(utc(now.plus(config.lease())))
                        .addUUID(handing ? worker.handoffClaim() : null))
                .onSuccess(inserted -> {
                    if (!handed.isEmpty()) {
                        // The transaction's completion succeeds at commit (before the caller's commit future), and
                        // fails at a rollback, when the rows are gone with it.
                        Transaction transaction = tx.transaction();
                        (transaction == null ? Future.succeededFuture() : transaction.completion())
                                .onSuccess(committed -> worker.handOff(handed));
                    }
                })
                .mapEmpty();
    }

    /** A user's own quiet hours, else the default (also for someone without a profile). */
    private QuietHours hoursOf(Map<UUID, UserFacts> facts, UUID userId) {
        UserFacts known = facts.get(userId);
        return known == null ? config.quietHours() : known.hours();
    }

    /** The deployment's quiet hours, for people who did not choose their own. */
    public QuietHours defaultQuietHours() {
        return config.quietHours();
    }

    /**
     * Sets {@code userId}'s own quiet hours ({@code null}: back to the default) and, in the same transaction,
     * moves their waiting non-urgent messages to the first moment the new hours allow (never before the time
     * each could first be sent). Answers the contract's {@code QuietHoursSetting}; NotFound for an erased account
     * (every signed-in person has an {@code app_user} row from their first request on).
     */
    public Future<JsonObject> setQuietHours(UUID userId, QuietHours own) {
        QuietHours effective = own == null ? config.quietHours() : own;
        Instant now = clock.instant();
        return pool.withTransaction(tx -> tx.preparedQuery(SET_QUIET_HOURS)
                .execute(Tuple.of(userId, own == null ? null : own.start(), own == null ? null : own.end()))
                .compose(updated -> updated.size() == 0
                        ? Future.failedFuture(new DomainException.NotFound("Profile (create it with PUT /v1/me)"))
                        : tx.preparedQuery(WAITING).execute(Tuple.of(userId)))
                .compose(waiting -> {
                    List<Tuple> moves = new ArrayList<>();
                    for (Row row : waiting) {
                        Instant from = row.getOffsetDateTime("not_before").toInstant();
                        moves.add(Tuple.of(row.getUUID("id"), utc(effective.deferred(from.isAfter(now) ? from : now))));
                    }
                    return moves.isEmpty() ? Future.succeededFuture()
                            : tx.preparedQuery(MOVE).executeBatch(moves).mapEmpty();
                })
                .map(moved -> effective.toJson(own != null)));
    }

    /** A page of dead letters, newest first, and the cursor of the next page (null at the end). */
    public record Page(JsonArray items, String nextCursor) {
    }

    /**
     * Dead letters, newest first.
     *
     * @param cursor from a previous page, or null for the first page
     * @throws DomainException.Invalid (as a failed future) when the cursor is not one of ours
     */
    public Future<Page> deadLetters(String cursor, int limit) {
        OffsetDateTime after = null;
        UUID afterId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
                after = OffsetDateTime.ofInstant(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS), ZoneOffset.UTC);
                afterId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                return Future.failedFuture(new DomainException.Invalid("cursor", "The cursor is not valid."));
            }
        }
        return pool.preparedQuery(DEAD_LETTERS).execute(Tuple.of(after, afterId, limit + 1))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    String next = null;
                    for (Row row : rows) {
                        if (items.size() == limit) {
                            next = cursor(items.getJsonObject(limit - 1));
                            break;
                        }
                        items.add(deadLetter(row));
                    }
                    return new Page(items, next);
                });
    }

    /** Puts a dead letter back to pending, due now, with its attempts reset; NotFound when it is not dead. */
    public Future<Void> retry(UUID messageId) {
        return pool.preparedQuery(RETRY).execute(Tuple.of(messageId, utc(clock.instant())))
                .compose(rows -> rows.size() == 1 ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new DomainException.NotFound("Dead letter")));
    }

    private static JsonObject deadLetter(Row row) {
        return new JsonObject()
                .put("messageId", row.getUUID("id").toString())
                .put("userId", row.getUUID("user_id").toString())
                .put("kind", row.getString("kind"))
                .put("urgent", row.getBoolean("urgent"))
                .put("attempts", row.getInteger("attempts"))
                .put("lastError", row.getString("last_error"))
                .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
                .put("dueAt", row.getOffsetDateTime("due_at").toInstant().toString());
    }

    private static String cursor(JsonObject item) {
        Instant created = Instant.parse(item.getString("createdAt"));
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, created);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "|" + item.getString("messageId")).getBytes(StandardCharsets.UTF_8));
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The stored form of the parameters: only what {@link PushParams} can hold. */
    static JsonObject paramsToJson(PushParams p) {
        JsonObject json = new JsonObject();
        if (p.helpKind() != null) {
            json.put("helpKind", p.helpKind());
        }
        if (p.when() != null) {
            json.put("when", p.when().toString());
        }
        if (p.distanceMeters() != null) {
            json.put("distanceMeters", p.distanceMeters());
        }
        if (p.count() != null) {
            json.put("count", p.count());
        }
        if (p.lead() != null) {
            json.put("lead", p.lead().code());
        }
        return json;
    }

    static PushParams paramsFromJson(JsonObject json) {
        ReminderLead lead = null;
        for (ReminderLead l : ReminderLead.values()) {
            if (l.code().equals(json.getString("lead"))) {
                lead = l;
            }
        }
        String when = json.getString("when");
        return new PushParams(json.getString("helpKind"), when == null ? null : Instant.parse(when),
                json.getInteger("distanceMeters"), json.getInteger("count"), lead);
    }

    static Map<PushRef, UUID> refs(Row row) {
        Map<PushRef, UUID> ids = new EnumMap<>(PushRef.class);
        put(ids, PushRef.OFFER, row.getUUID("offer_id"));
        put(ids, PushRef.REQUEST, row.getUUID("request_id"));
        put(ids, PushRef.ACTIVITY, row.getUUID("activity_id"));
        return ids;
    }

    private static void put(Map<PushRef, UUID> ids, PushRef ref, UUID id) {
        if (id != null) {
            ids.put(ref, id);
        }
    }
}
