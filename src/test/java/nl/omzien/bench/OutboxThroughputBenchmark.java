package nl.omzien.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.push.FcmFixture;
import nl.omzien.push.FcmPushSender;
import nl.omzien.push.FcmThreadManager;
import nl.omzien.push.PushConfig;
import nl.omzien.push.PushKind;
import nl.omzien.push.PushOptions;
import nl.omzien.push.PushOutbox;
import nl.omzien.push.PushParams;
import nl.omzien.push.PushRef;
import nl.omzien.testing.TestApp;
import org.slf4j.LoggerFactory;

/**
 * Outbox throughput end to end: the whole app on the embedded PostgreSQL, N outbox rows enqueued through
 * {@link PushOutbox#enqueue} in transactions of 100, then the time for {@code PushWorker.drain()} to claim,
 * render, send through the real firebase-admin SDK ({@link FcmPushSender}) on an instantly answering mock
 * transport, and record them all. Fails when Vert.x reports a blocked event loop.
 *
 * <pre>mvn -q -B -Pbench test-compile exec:exec -Dbench.main=nl.omzien.bench.OutboxThroughputBenchmark -Djmh.args=</pre>
 * Optional arguments: {@code rows users} (default 20000 5000).
 */
public final class OutboxThroughputBenchmark {
    private OutboxThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ListAppender<ILoggingEvent> blocked = new ListAppender<>();
        blocked.start();
        ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")).addAppender(blocked);

        try (FcmFixture fcm = new FcmFixture(request -> FcmFixture.ok(), new FcmThreadManager(FcmThreadManager.DEFAULT_THREADS))) {
            // The poll's path: everything enqueued first, then drained (with the handoff each would go out as its
            // transaction commits, during the enqueue).
            PushConfig config = PushConfig.defaults().withPollInterval(Duration.ZERO).withHandoff(false);
            TestApp app = TestApp.start("bench", Map.of(),
                    PushOptions.of(new FcmPushSender(fcm.app()), Clock.systemUTC(), config));
            try {
                run(app, fcm, rows, users, config);
            } finally {
                app.close();
            }
        }
        System.out.printf("blocked-thread warnings: %d%n", blocked.list.size());
        if (!blocked.list.isEmpty()) {
            System.exit(1);
        }
    }

    private static void run(TestApp app, FcmFixture fcm, int rows, int users, PushConfig config) throws Exception {
        Pool pool = app.app().database().pool();
        PushOutbox outbox = app.app().push().outbox();
        pool.preparedQuery("""
                insert into push_device (id, user_id, token, platform, app_version)
                select gen_random_uuid(), gen_random_uuid(), 'bench-token-' || g || '-' || repeat('x', 140), 'android', '1.0'
                  from generate_series(1, $1) g
                """).execute(Tuple.of(users)).await(60, TimeUnit.SECONDS);
        List<UUID> userIds = new ArrayList<>();
        for (Row row : pool.query("select user_id from push_device").execute().await(60, TimeUnit.SECONDS)) {
            userIds.add(row.getUUID(0));
        }
        PushParams params = PushParams.NONE.withHelpKind("groceries").withWhen(java.time.Instant.now().plusSeconds(86_400));

        long enqueueStart = System.nanoTime();
        int perTx = 100;
        List<Future<Void>> inFlight = new ArrayList<>();
        for (int from = 0; from < rows; from += perTx) {
            int start = from;
            int end = Math.min(rows, from + perTx);
            inFlight.add(pool.withTransaction(tx -> {
                Future<UUID> chain = Future.succeededFuture();
                for (int i = start; i < end; i++) {
                    UUID user = userIds.get(i % userIds.size());
                    chain = chain.compose(previous -> outbox.enqueue(tx, user, PushKind.MATCH_CONFIRMED, true,
                            Map.of(PushRef.REQUEST, UUID.randomUUID()), params));
                }
                return chain.mapEmpty();
            }));
            if (inFlight.size() == 8) {
                Future.all(inFlight).await(60, TimeUnit.SECONDS);
                inFlight.clear();
            }
        }
        Future.all(inFlight).await(60, TimeUnit.SECONDS);
        double enqueueSeconds = (System.nanoTime() - enqueueStart) / 1e9;

        long drainStart = System.nanoTime();
        int handled = app.app().push().worker().drain().await(10, TimeUnit.MINUTES);
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        long sent = (Long) pool.query("select count(*) from push_outbox where status = 'sent'").execute()
                .await(60, TimeUnit.SECONDS).iterator().next().getValue(0);

        System.out.printf("enqueue: %d rows in %.2f s = %.0f rows/s (transactions of %d, 8 in flight)%n",
                rows, enqueueSeconds, rows / enqueueSeconds, perTx);
        System.out.printf("drain:   %d rows handled, %d sent, %d FCM requests in %.2f s = %.0f messages/s "
                        + "(batch %d, %d batches in flight, %d available processors)%n",
                handled, sent, fcm.captured().size(), drainSeconds, sent / drainSeconds, config.batchSize(),
                config.concurrency(), Runtime.getRuntime().availableProcessors());
        if (sent != rows) {
            throw new IllegalStateException("expected " + rows + " sent, got " + sent);
        }
    }
}
