package nl.omzien.push;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import nl.omzien.runtime.BlockingExecutor;
import nl.omzien.runtime.PeriodicVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the push outbox. Every {@link PushConfig#pollInterval()} (and whenever {@link #drain()} is
 * called) it claims due rows in batches with {@code FOR UPDATE SKIP LOCKED}, so several workers and several
 * instances share the work; it renders each row for every active device of its user in the user's language,
 * sends on the {@link BlockingExecutor} (never on an event loop) and records the outcome per row:
 * <ul>
 *   <li>any device SENT: {@code sent} (other devices' transient errors are not retried: the person has it);</li>
 *   <li>else any RETRY: {@code pending} again, due after {@link Backoff#next} (Retry-After honoured), or
 *       {@code dead} once {@link PushConfig#maxAttempts()} tries were made;</li>
 *   <li>else a FAILED: {@code dead} with the reason; all devices TOKEN_INVALID, or no active device at
 *       all: {@code dead} with last_error {@code no-device} (an admin may retry it once a device exists).</li>
 * </ul>
 * TOKEN_INVALID deactivates that device (reason {@code token-invalid}).
 *
 * <p>A claim sets {@code lease_until} and a {@code claim_id}. Rows whose lease expired (the worker crashed or
 * hung) go back to {@code pending} at the start of every drain, keeping their attempt count; only the
 * claim that holds a row may record its outcome, so a late worker cannot overwrite a newer one. Delivery is
 * at least once and the data payload carries the row id as {@code messageId}, by which the app deduplicates.
 *
 * <p><b>Handoff</b> ({@link PushConfig#handoff()}): {@link PushOutbox} writes a push that is due at once already
 * claimed by this worker ({@code sending}, one attempt, a lease, {@link #handoffClaim()}) and hands it over when the
 * transaction that wrote it commits, so it is sent within milliseconds and PostgreSQL is spared the claim: one
 * update of the row (its outcome) instead of two, on a table whose every update touches four or five indexes. Handed
 * rows are delivered in batches like claimed ones, one batch at a time. What a
 * handoff misses (a crash, a full queue, a row that waited past half its lease) keeps its lease and is sent by the
 * poll once the lease is over; a stop gives back what it did not send at once.
 */
public final class PushWorker extends PeriodicVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(PushWorker.class);
    /** last_error when a user has no active device. */
    public static final String NO_DEVICE = "no-device";

    private static final String RECLAIM = """
            update push_outbox set status = 'pending', lease_until = null, claim_id = null
             where status = 'sending' and lease_until < $1
            """;
    /**
     * Claims up to {@code $4} due rows, the longest due first. The ids are picked by an array subquery, which
     * PostgreSQL runs once. With {@code o.id in (select ... limit $4 for update skip locked)}, the plan it kept
     * while the outbox was empty (a fresh database, until autovacuum first analyzes the table) put the subquery on
     * the inner side of a nested loop and ran it again for every outbox row: one claim read the table once per
     * row and took every due row, not {@code $4} (seconds per claim in the first minute of a load run; issue #6).
     */
    static final String CLAIM = """
            update push_outbox o set status = 'sending', attempts = o.attempts + 1, lease_until = $2, claim_id = $3
             where o.id = any (array(select id from push_outbox where status = 'pending' and due_at <= $1
                                      order by due_at limit $4 for update skip locked))
            returning o.id, o.user_id, o.kind, o.urgent, o.offer_id, o.request_id, o.activity_id, o.params, o.attempts
            """;
    private static final String DEVICES = """
            select d.id, d.user_id, d.token, coalesce(u.language, d.locale) as language
              from push_device d left join app_user u on u.id = d.user_id and u.deleted_at is null
             where d.user_id = any($1) and d.active
            """;
    /**
     * The outcomes of a batch, for the rows this claim still holds. The arrays behind sub-selects, as in PushOutbox's
     * FACTS: with the handoff's small batches of varying size PostgreSQL planned {@code unnest($1, ...)} again on
     * every call (0.16 ms a call in an accept run); behind sub-selects every plan assumes the same size and the
     * generic one is kept. No {@code o.status = 'sending'}: a claim id is only set while a row is sending (V20
     * checks it), and with that condition PostgreSQL chose the partial lease index, whose entries of rows long
     * recorded pile up between vacuums (14,000 entries and 2,200 pages read to record 6 rows in a create run),
     * over the primary key.
     */
    private static final String RECORD = """
            update push_outbox o
               set status = u.status, due_at = u.due, last_error = nullif(u.err, ''), lease_until = null,
                   claim_id = null, sent_at = case when u.status = 'sent' then $5 else o.sent_at end
              from unnest((select $1::uuid[]), (select $2::text[]), (select $3::timestamptz[]), (select $4::text[]))
                   as u(id, status, due, err)
             where o.id = u.id and o.claim_id = $6
            """;
    private static final String DEACTIVATE = """
            update push_device d set active = false, deactivated_reason = 'token-invalid', updated_at = now()
              from unnest($1::uuid[], $2::text[]) as u(id, token)
             where d.id = u.id and d.token = u.token
            """;

    /** Gives back, at stop, the rows handed to this worker that it did not send. */
    private static final String RELEASE = """
            update push_outbox set status = 'pending', lease_until = null, claim_id = null
             where claim_id = $1 and status = 'sending'
            """;
    /**
     * Handoff batches in flight at most. One: rows handed over while a batch is out wait for the next, so under load
     * batches grow (a load run's accepts: ~40 rows, against ~11 with four in flight, and two statements a batch)
     * and at rest each push goes out alone at once. The poll keeps its own {@link PushConfig#concurrency()} for a
     * backlog.
     */
    private static final int HANDOFF_BATCHES = 1;
    /** Handed rows queued at most, in batches: past it the outbox writes rows for the poll. */
    private static final int HANDOFF_QUEUE_BATCHES = 20;

    private final Pool pool;
    private final BlockingExecutor blocking;
    private final PushSender sender;
    private final PushTemplates templates;
    private final PushConfig config;
    private final Clock clock;

    /** The claim id of every row the outbox hands to this worker. */
    private final UUID handoffClaim = UUID.randomUUID();
    private final Queue<Handed> handed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handedCount = new AtomicInteger();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean takingHandoffs;
    // On this verticle's context only:
    private int handoffBatches;
    private final List<Promise<Void>> handoffIdle = new ArrayList<>();

    public PushWorker(Pool pool, BlockingExecutor blocking, PushSender sender, PushTemplates templates, PushConfig config,
                      Clock clock) {
        this.pool = pool;
        this.blocking = blocking;
        this.sender = sender;
        this.templates = templates;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return super.start().onSuccess(v -> takingHandoffs = config.handoff());
    }

    /** Stops taking handoffs, finishes the batches in flight and gives back the rows still queued. */
    @Override
    public Future<?> stop() {
        takingHandoffs = false;
        handed.clear();
        handedCount.set(0);
        return onContext(this::handoffsIdle)
                .compose(v -> pool.preparedQuery(RELEASE).execute(Tuple.of(handoffClaim)))
                .onSuccess(released -> {
                    if (released.rowCount() > 0) {
                        LOG.info("push: {} handed message(s) given back to the poll at stop", released.rowCount());
                    }
                })
                .otherwiseEmpty()
                .compose(v -> super.stop());
    }

    /** The claim id rows handed to this worker are written with. */
    UUID handoffClaim() {
        return handoffClaim;
    }

    /** Whether the outbox may write rows claimed for this worker now (started, handoff on, queue not full). */
    boolean takesHandoffs() {
        return takingHandoffs && handedCount.get() < HANDOFF_QUEUE_BATCHES * config.batchSize();
    }

    /**
     * Rows the outbox wrote claimed for this worker, whose transaction has committed. Any thread. A row that is
     * not taken (stopping) keeps its lease and the poll sends it when the lease is over.
     */
    void handOff(List<Claimed> rows) {
        if (!takingHandoffs) {
            return;
        }
        Instant at = clock.instant();
        for (Claimed row : rows) {
            handed.add(new Handed(row, at));
        }
        handedCount.addAndGet(rows.size());
        if (flushScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flushHandoffs());
        }
    }

    /** A row handed over, and when. */
    private record Handed(Claimed row, Instant at) {
    }

    /** On the context: starts batches of handed rows while fewer than {@link #HANDOFF_BATCHES} are in flight. */
    private void flushHandoffs() {
        flushScheduled.set(false);
        Instant stale = clock.instant().minus(config.lease().dividedBy(2));
        while (handoffBatches < HANDOFF_BATCHES && !handed.isEmpty()) {
            List<Claimed> batch = new ArrayList<>();
            Handed next;
            while (batch.size() < config.batchSize() && (next = handed.poll()) != null) {
                handedCount.decrementAndGet();
                if (next.at().isAfter(stale)) {
                    batch.add(next.row());
                } // else: its lease may be over before it is recorded; the poll sends it when it is
            }
            if (batch.isEmpty()) {
                continue;
            }
            handoffBatches++;
            deliver(handoffClaim, batch)
                    .onFailure(failure -> LOG.warn("push: delivering {} handed message(s) failed; the poll retries them"
                            + " when their lease is over", batch.size(), failure))
                    .onComplete(done -> {
                        handoffBatches--;
                        flushHandoffs();
                    });
        }
        if (handoffBatches == 0 && handed.isEmpty()) {
            List<Promise<Void>> waiting = List.copyOf(handoffIdle);
            handoffIdle.clear();
            waiting.forEach(Promise::complete);
        }
    }

    /** On the context: completes once nothing handed is queued or in flight. */
    private Future<Void> handoffsIdle() {
        if (handoffBatches == 0 && handed.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> idle = Promise.promise();
        handoffIdle.add(idle);
        flushHandoffs();
        return idle.future();
    }

    private <T> Future<T> onContext(Supplier<Future<T>> work) {
        if (context == null) {
            return work.get();
        }
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(promise));
        return promise.future();
    }

    @Override
    protected Duration period() {
        return config.pollInterval();
    }

    @Override
    protected Future<?> runOnce() {
        return drain();
    }

    @Override
    protected void failed(Throwable failure) {
        LOG.warn("push drain failed; next tick retries", failure);
    }

    /**
     * Sends everything due now: first the handed rows queued or in flight (their batches finish), then
     * {@link PushConfig#concurrency()} loops claim batches until none is left.
     *
     * @return how many outbox rows the claims handled (whatever their outcome), handed rows not counted
     */
    public Future<Integer> drain() {
        return onContext(this::handoffsIdle)
                .compose(idle -> pool.preparedQuery(RECLAIM).execute(Tuple.of(PushOutbox.utc(clock.instant()))))
                .compose(reclaimed -> {
                    if (reclaimed.rowCount() > 0) {
                        LOG.warn("push: {} message(s) whose lease expired are pending again", reclaimed.rowCount());
                    }
                    List<Future<Integer>> loops = new ArrayList<>();
                    for (int i = 0; i < config.concurrency(); i++) {
                        loops.add(loop(0));
                    }
                    return Future.all(loops);
                })
                .map(all -> all.<Integer>list().stream().mapToInt(Integer::intValue).sum());
    }

    private Future<Integer> loop(int handled) {
        return batch()
                .compose(n -> n < config.batchSize() ? Future.succeededFuture(handled + n) : loop(handled + n));
    }

    private Future<Integer> batch() {
        UUID claim = UUID.randomUUID();
        Instant now = clock.instant();
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(PushOutbox.utc(now), PushOutbox.utc(now.plus(config.lease())), claim, config.batchSize()))
                .compose(rows -> rows.size() == 0 ? Future.succeededFuture(0)
                        : deliver(claim, claimed(rows)).map(rows.size()));
    }

    /** One claimed outbox row. */
    record Claimed(UUID id, UUID userId, String kind, boolean urgent, JsonObject params, Map<PushRef, UUID> ids,
                   int attempts) {
    }

    /** One active device of a user, with the language to render in. */
    record Device(UUID id, String token, Locale locale) {
    }

    /** What happens to one outbox row. */
    record Outcome(UUID id, String status, Instant due, String error) {
    }

    /** The outcomes of a batch and the devices whose token turned out dead. */
    record Outcomes(List<Outcome> rows, List<Device> invalidDevices) {
    }

    private static List<Claimed> claimed(RowSet<Row> rows) {
        List<Claimed> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            out.add(new Claimed(row.getUUID("id"), row.getUUID("user_id"), row.getString("kind"),
                    row.getBoolean("urgent"), (JsonObject) row.getValue("params"), PushOutbox.refs(row),
                    row.getInteger("attempts")));
        }
        return out;
    }

    private Future<Void> deliver(UUID claim, List<Claimed> batch) {
        UUID[] users = batch.stream().map(Claimed::userId).distinct().toArray(UUID[]::new);
        return pool.preparedQuery(DEVICES).execute(Tuple.of(users))
                .map(PushWorker::devicesByUser)
                .compose(devices -> blocking.submit(() -> send(batch, devices)))
                .compose(outcomes -> deactivate(outcomes.invalidDevices()).compose(v -> record(claim, outcomes.rows())));
    }

    private static Map<UUID, List<Device>> devicesByUser(RowSet<Row> rows) {
        Map<UUID, List<Device>> byUser = new HashMap<>();
        for (Row row : rows) {
            byUser.computeIfAbsent(row.getUUID("user_id"), u -> new ArrayList<>())
                    .add(new Device(row.getUUID("id"), row.getString("token"),
                            Locale.forLanguageTag(row.getString("language"))));
        }
        return byUser;
    }

    /** Renders and sends a batch; runs on a worker thread. */
    private Outcomes send(List<Claimed> batch, Map<UUID, List<Device>> devices) {
        List<PushMessage> messages = new ArrayList<>();
        List<Device> targets = new ArrayList<>();
        List<Integer> rowOf = new ArrayList<>();
        Map<Integer, String> failedBeforeSending = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Claimed row = batch.get(i);
            try {
                PushKind kind = PushKind.fromWireName(row.kind());
                PushParams params = PushOutbox.paramsFromJson(row.params());
                for (Device device : devices.getOrDefault(row.userId(), List.of())) {
                    messages.add(templates.message(row.id(), kind, device.token(), device.locale(), row.urgent(),
                            row.ids(), params));
                    targets.add(device);
                    rowOf.add(i);
                }
            } catch (IllegalArgumentException e) {
                failedBeforeSending.put(i, "cannot render: " + e.getMessage());
            }
        }
        List<SendResult> results = messages.isEmpty() ? List.of() : sendSafely(messages);
        return outcomes(batch, targets, rowOf, results, failedBeforeSending);
    }

    private List<SendResult> sendSafely(List<PushMessage> messages) {
        try {
            return sender.send(messages);
        } catch (RuntimeException e) {
            LOG.warn("push sender failed for a whole batch of {}; all will be retried", messages.size(), e);
            return messages.stream().map(m -> SendResult.retry(m.messageId(), null, "sender failed: " + e)).toList();
        }
    }

    private Outcomes outcomes(List<Claimed> batch, List<Device> targets, List<Integer> rowOf, List<SendResult> results,
                              Map<Integer, String> failedBeforeSending) {
        int n = batch.size();
        boolean[] sent = new boolean[n];
        String[] retry = new String[n];
        Duration[] retryAfter = new Duration[n];
        String[] failed = new String[n];
        List<Device> invalid = new ArrayList<>();
        for (int j = 0; j < results.size(); j++) {
            SendResult r = results.get(j);
            int i = rowOf.get(j);
            switch (r.outcome()) {
                case SENT -> sent[i] = true;
                case RETRY -> {
                    retry[i] = r.error() == null ? "retry" : r.error();
                    if (r.retryAfter() != null && (retryAfter[i] == null || r.retryAfter().compareTo(retryAfter[i]) > 0)) {
                        retryAfter[i] = r.retryAfter();
                    }
                }
                case TOKEN_INVALID -> invalid.add(targets.get(j));
                case FAILED -> failed[i] = r.error() == null ? "failed" : r.error();
            }
        }
        Instant now = clock.instant();
        List<Outcome> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Claimed row = batch.get(i);
            if (failedBeforeSending.containsKey(i)) {
                out.add(new Outcome(row.id(), "dead", now, failedBeforeSending.get(i)));
            } else if (sent[i]) {
                out.add(new Outcome(row.id(), "sent", now, ""));
            } else if (retry[i] != null && row.attempts() >= config.maxAttempts()) {
                out.add(new Outcome(row.id(), "dead", now, "max-attempts: " + retry[i]));
            } else if (retry[i] != null) {
                Duration delay = Backoff.next(row.attempts(), retryAfter[i], ThreadLocalRandom.current());
                out.add(new Outcome(row.id(), "pending", now.plus(delay), retry[i]));
            } else if (failed[i] != null) {
                out.add(new Outcome(row.id(), "dead", now, failed[i]));
            } else {
                out.add(new Outcome(row.id(), "dead", now, NO_DEVICE));
            }
        }
        return new Outcomes(out, invalid);
    }

    private Future<Void> deactivate(List<Device> devices) {
        if (devices.isEmpty()) {
            return Future.succeededFuture();
        }
        Set<Device> unique = new LinkedHashSet<>(devices);
        return pool.preparedQuery(DEACTIVATE)
                .execute(Tuple.tuple()
                        .addValue(unique.stream().map(Device::id).toArray(UUID[]::new))
                        .addValue(unique.stream().map(Device::token).toArray(String[]::new)))
                .mapEmpty();
    }

    private Future<Void> record(UUID claim, List<Outcome> outcomes) {
        Tuple params = Tuple.of(
                outcomes.stream().map(Outcome::id).toArray(UUID[]::new),
                outcomes.stream().map(Outcome::status).toArray(String[]::new),
                outcomes.stream().map(o -> PushOutbox.utc(o.due())).toArray(OffsetDateTime[]::new),
                outcomes.stream().map(Outcome::error).toArray(String[]::new),
                PushOutbox.utc(clock.instant()),
                claim);
        return pool.preparedQuery(RECORD).execute(params).mapEmpty();
    }
}
