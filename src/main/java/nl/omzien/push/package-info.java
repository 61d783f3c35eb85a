/**
 * Push notifications: what Omzien sends to the companion app, and how.
 *
 * <h2>Flow</h2>
 * A change that should notify someone writes an outbox row in its own transaction. A worker claims due
 * rows, renders each with {@link nl.omzien.push.PushTemplates#message} into a
 * {@link nl.omzien.push.PushMessage}, and calls a {@link nl.omzien.push.PushSender} on a bounded worker
 * executor (blocking). It stores per message the {@link nl.omzien.push.SendResult}: {@code SENT} done,
 * {@code TOKEN_INVALID} forget the token, {@code FAILED} give up, {@code RETRY} schedule again after
 * {@link nl.omzien.push.Backoff#next} (full jitter, 2 s doubling to 15 min, Retry-After wins when larger).
 * The sender never retries; the outbox does. Delivery is at least once; the app deduplicates by
 * {@code messageId}.
 *
 * <h2>Outbox decisions</h2>
 * <ul>
 *   <li>{@link nl.omzien.push.PushOutbox#enqueue} runs in the caller's transaction; due time, quiet hours
 *       and the cap are decided there, with the outbox's {@link java.time.Clock}.</li>
 *   <li>Quiet hours per person ({@code PUT /v1/me/quiet-hours}, Utrecht wall-clock time), else the default
 *       22:00-08:00 ({@code OMZIEN_PUSH_QUIET_START/END}): a non-urgent message is due at the end of the
 *       period, an urgent one at once. The time a message could first be sent is kept ({@code not_before}),
 *       so a change of someone's hours moves their waiting messages in the same transaction.</li>
 *   <li>Offer cap: at most {@code OMZIEN_PUSH_OFFER_CAP} (6) {@code offer_made} per user per rolling 24 h;
 *       the rest are stored with status {@code suppressed}, last_error {@code capped}, never sent and not
 *       dead letters.</li>
 *   <li>No active device: {@code dead} with last_error {@code no-device} (not held); an admin may retry.</li>
 *   <li>Lease: a claim sets {@code lease_until} (2 min) and a {@code claim_id}; expired leases return to
 *       {@code pending} at the start of each drain, and only the current claim may record an outcome.</li>
 *   <li>Handoff ({@code OMZIEN_PUSH_HANDOFF}, on by default): a message due at once is written already claimed
 *       by the instance's worker, with the same lease, and handed to it when the transaction commits; what the
 *       handoff misses is the poll's when the lease is over (see {@link nl.omzien.push.PushWorker}).</li>
 *   <li>Several devices: one FCM message per active device; the row is {@code sent} when any device took
 *       it.</li>
 * </ul>
 * {@code nl.omzien.bench.OutboxThroughputBenchmark} (20,000 rows, embedded PostgreSQL, firebase-admin on
 * an instant mock transport, cold JVM, 2 shared cores) measured about 2,200 messages/s drained, with no
 * blocked-thread warning.
 *
 * <h2>Privacy</h2>
 * A push carries ids, its kind, a deep link and the urgent flag in its data, and a title/body rendered
 * from templates whose placeholders can only be a help-category word, a time, a distance band, a count or
 * a reminder lead ({@link nl.omzien.push.TemplateParam}); {@link nl.omzien.push.PushParams} has no field
 * for free text. The data-payload contract is {@code mobile-contracts/push/}.
 *
 * <h2>Senders</h2>
 * {@link nl.omzien.push.FcmPushSender} (firebase-admin 9.11 {@code sendEach}, batches of 500, SDK retries
 * off except the token-refresh re-send after a 401, see
 * {@link com.google.firebase.messaging.OmzienMessagingFactory}); {@link nl.omzien.push.DryRunPushSender}
 * when {@code GOOGLE_APPLICATION_CREDENTIALS} is not set.
 *
 * <h2>Throughput</h2>
 * {@code sendEach} submits each message to the FirebaseApp's executor and waits for all of them, so
 * against the real FCM the rate is about {@code threads / round trip}: the send pool
 * ({@link nl.omzien.push.FcmThreadManager}, {@code OMZIEN_FCM_THREADS}, default 100) is the knob.
 * {@code nl.omzien.bench.PushSenderBenchmark} (JMH, batches of 500, in-memory FCM, 2 shared cores under a
 * load average of 4-10 from other work) measured: instant answers, after warm-up, about 30,000-37,000
 * messages/s with either the SDK's default pool or ours (the first seconds, while the JIT warms up,
 * 1,500-10,000/s); with a simulated 20 ms round trip about 4,500/s with 100 threads and 7,300/s with 200.
 */
package nl.omzien.push;
