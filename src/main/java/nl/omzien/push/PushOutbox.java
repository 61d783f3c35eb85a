package nl.omzien.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import nl.omzien.errors.DomainException;

/**
 * The push outbox: other capabilities call {@link #enqueue} inside their own transaction, so a notification
 * exists if and only if the change that caused it committed; {@link PushWorker} delivers it later.
 *
 * <p>Rules applied at enqueue time, with the outbox's {@link Clock}:
 * <ul>
 *   <li><b>quiet hours</b>, the person's own ({@link #setQuietHours}) or else {@link PushConfig#quietHours()}
 *       (default 22:00-08:00 Utrecht time): a
 *       non-urgent message is due at the end of the quiet period; an urgent one (only for kinds that
 *       {@linkplain PushKind#mayBeUrgent() may be urgent}) is due at once;</li>
 *   <li><b>offer cap</b>: at most {@link PushConfig#offerCap()} {@code offer_made} per user per rolling 24 h;
 *       past it the row is written with status {@code suppressed} and last_error {@code capped}, and never
 *       sent (it is not a dead letter: nothing failed). Counting takes a per-user transaction lock, so
 *       concurrent offer rounds cannot overshoot.</li>
 * </ul>
 */
public final class PushOutbox {
    /** last_error of a message suppressed by the offer cap. */
    public static final String CAPPED = "capped";

    private static final String INSERT = """
            insert into push_outbox (id, user_id, kind, urgent, offer_id, request_id, activity_id, params, status,
                                     due_at, created_at, last_error, not_before)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """;
    private static final String QUIET_HOURS_OF = "select quiet_start, quiet_end from app_user where id = $1";
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
    private static final String LOCK_USER = "select pg_advisory_xact_lock(hashtextextended('push-cap:' || $1::text, 0))";
    private static final String COUNT_OFFERS = """
            select count(*) from push_outbox
             where user_id = $1 and kind = 'offer_made' and created_at > $2 and status <> 'suppressed'
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

    public PushOutbox(Pool pool, PushTemplates templates, PushConfig config, Clock clock) {
        this.pool = pool;
        this.templates = templates;
        this.config = config;
        this.clock = clock;
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
        Objects.requireNonNull(userId, "userId");
        UUID messageId = UUID.randomUUID();
        try {
            PushMessage.dataPayload(messageId, kind, false, ids);
            templates.render(kind, PushTemplates.NL, params);
            templates.render(kind, PushTemplates.EN, params);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        boolean effectiveUrgent = urgent && kind.mayBeUrgent();
        Instant now = clock.instant();
        Instant from = notBefore != null && notBefore.isAfter(now) ? notBefore : now;
        Future<Instant> due = effectiveUrgent ? Future.succeededFuture(from)
                : quietHoursOf(tx, userId).map(hours -> hours.deferred(from));
        Future<Boolean> capped = kind == PushKind.OFFER_MADE ? overCap(tx, userId, now) : Future.succeededFuture(false);
        return due.compose(dueAt -> capped
                .compose(over -> tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] {messageId, userId,
                        kind.wireName(), effectiveUrgent, ids.get(PushRef.OFFER), ids.get(PushRef.REQUEST),
                        ids.get(PushRef.ACTIVITY), paramsToJson(params), over ? "suppressed" : "pending", utc(dueAt),
                        utc(now), over ? CAPPED : null, utc(from)}))))
                .map(done -> messageId);
    }

    /** The deployment's quiet hours, for people who did not choose their own. */
    public QuietHours defaultQuietHours() {
        return config.quietHours();
    }

    /** {@code userId}'s quiet hours: their own choice, else the default (also for someone without a profile). */
    private Future<QuietHours> quietHoursOf(SqlConnection tx, UUID userId) {
        return tx.preparedQuery(QUIET_HOURS_OF).execute(Tuple.of(userId)).map(rows -> rows.size() == 0
                ? config.quietHours()
                : QuietHours.orDefault(rows.iterator().next().getLocalTime("quiet_start"),
                        rows.iterator().next().getLocalTime("quiet_end"), config.quietHours()));
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

    private Future<Boolean> overCap(SqlConnection tx, UUID userId, Instant now) {
        return tx.preparedQuery(LOCK_USER).execute(Tuple.of(userId.toString()))
                .compose(locked -> tx.preparedQuery(COUNT_OFFERS).execute(Tuple.of(userId, utc(now.minus(1, ChronoUnit.DAYS)))))
                .map(rows -> rows.iterator().next().getLong(0) >= config.offerCap());
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
