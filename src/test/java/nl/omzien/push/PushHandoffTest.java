package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.MutableClock;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox's handoff (PushConfig#handoff): pushes due at once are written claimed by the instance's worker and
 * sent when their transaction commits, without a poll. The worker's timer is off in these tests (poll interval
 * zero), so whatever is sent was sent by the handoff, and {@code drain()} shows what was left for the poll.
 */
@DisplayName("Push handoff: pushes due at once go to the worker when their transaction commits")
@ExtendWith(BlockedThreadWatch.class)
class PushHandoffTest {
    /** Tuesday 12:00 in Utrecht: outside quiet hours. */
    private static final Instant NOON = ZonedDateTime.parse("2026-05-12T12:00:00+02:00[Europe/Amsterdam]").toInstant();

    /** One batch in flight at a time, so a second handoff waits in the queue. */
    private static PushConfig config() {
        return new PushConfig(Duration.ZERO, 500, 1, 8, Duration.ofMinutes(2), 6, LocalTime.of(22, 0),
                LocalTime.of(8, 0), true);
    }

    @Test
    @DisplayName("a push due at once is written claimed, sent once after the commit without a poll, and recorded sent")
    void sentAfterCommit() throws Exception {
        MutableClock clock = new MutableClock(NOON);
        try (FcmFixture fcm = FcmFixture.acceptingAll();
             TestApp app = TestApp.start("handoff1", Map.of(),
                 PushOptions.of(new FcmPushSender(fcm.app(), clock), clock, config()))) {
            Pool pool = app.app().database().pool();
            UUID user = userWithDevice(app, "tok-handoff");
            UUID id = enqueue(app, user, PushKind.MATCH_CONFIRMED, true);

            JsonObject row = awaitStatus(pool, id, "sent");
            assertEquals(1, row.getInteger("attempts"), "one attempt, counted when the row was written claimed");
            assertNull(row.getString("claim_id"));
            assertEquals(1, captured(fcm, id).size(), "sent exactly once");
            assertEquals(0, app.app().push().worker().drain().await(30, TimeUnit.SECONDS),
                "nothing was left for the poll");
            assertEquals(1, captured(fcm, id).size());
        }
    }

    @Test
    @DisplayName("a rolled-back transaction hands nothing over; a push deferred by quiet hours waits for the poll")
    void rollbackAndDeferred() throws Exception {
        MutableClock clock = new MutableClock(NOON);
        try (FcmFixture fcm = FcmFixture.acceptingAll();
             TestApp app = TestApp.start("handoff2", Map.of(),
                 PushOptions.of(new FcmPushSender(fcm.app(), clock), clock, config()))) {
            Pool pool = app.app().database().pool();
            PushOutbox outbox = app.app().push().outbox();
            UUID user = userWithDevice(app, "tok-rollback");

            Future<UUID> rolledBack = pool.withTransaction(tx -> outbox.enqueue(tx, user, PushKind.MATCH_CONFIRMED,
                true, Samples.ids(PushKind.MATCH_CONFIRMED), Samples.PARAMS)
                .compose(id -> Future.failedFuture(new IllegalStateException("the caller's change failed"))));
            assertTrue(rolledBack.transform(done -> Future.succeededFuture(done.failed())).await(10, TimeUnit.SECONDS));
            assertEquals(0, app.app().push().worker().drain().await(30, TimeUnit.SECONDS));
            assertEquals(0, fcm.captured().size(), "nothing sent for a change that did not commit");
            assertEquals(0L, count(pool, "select count(*) from push_outbox"));

            clock.set(ZonedDateTime.parse("2026-05-12T23:00:00+02:00[Europe/Amsterdam]").toInstant());
            UUID deferred = enqueue(app, user, PushKind.OFFER_FILLED, false);
            assertEquals(0, app.app().push().worker().drain().await(30, TimeUnit.SECONDS));
            Row row = pool.preparedQuery("select status, attempts, claim_id from push_outbox where id = $1")
                .execute(Tuple.of(deferred)).await(10, TimeUnit.SECONDS).iterator().next();
            assertEquals("pending", row.getString("status"), "due after quiet hours: not handed over");
            assertEquals(0, row.getInteger("attempts"));
            assertNull(row.getUUID("claim_id"));
            assertEquals(0, fcm.captured().size());
        }
    }

    @Test
    @DisplayName("a stop finishes the batch in flight and gives the queued rows back to the poll, which sends them")
    void stopGivesBack() throws Exception {
        MutableClock clock = new MutableClock(NOON);
        CountDownLatch inFcm = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (FcmFixture fcm = new FcmFixture(request -> {
            if (request.token().equals("tok-slow")) {
                inFcm.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FcmFixture.ok();
        });
             TestApp app = TestApp.start("handoff3", Map.of(),
                 PushOptions.of(new FcmPushSender(fcm.app(), clock), clock, config()))) {
            Pool pool = app.app().database().pool();
            PushWorker worker = app.app().push().worker();
            UUID slowUser = userWithDevice(app, "tok-slow");
            UUID user = userWithDevice(app, "tok-queued");

            UUID inFlight = enqueue(app, slowUser, PushKind.MATCH_CONFIRMED, true);
            assertTrue(inFcm.await(10, TimeUnit.SECONDS), "the first handoff reached FCM");
            UUID queued = enqueue(app, user, PushKind.MATCH_CONFIRMED, true);
            assertEquals("sending", status(pool, queued).getString("status"), "written claimed, waiting in the queue");

            Future<?> stopped = worker.stop();
            release.countDown();
            stopped.await(30, TimeUnit.SECONDS);

            assertEquals("sent", status(pool, inFlight).getString("status"), "the batch in flight finished");
            JsonObject given = status(pool, queued);
            assertEquals("pending", given.getString("status"), "given back to the poll");
            assertNull(given.getString("claim_id"));
            assertEquals(0, captured(fcm, queued).size());

            assertEquals(1, worker.drain().await(30, TimeUnit.SECONDS), "the poll claims what was given back");
            assertEquals("sent", status(pool, queued).getString("status"));
            assertEquals(1, captured(fcm, queued).size());
            assertEquals(1, captured(fcm, inFlight).size());
        }
    }

    @Test
    @DisplayName("OMZIEN_PUSH_HANDOFF turns it off and on with the words every boolean setting takes, and refuses others")
    void configured() {
        assertTrue(PushConfig.from(Map.of()).handoff(), "on by default");
        assertEquals(false, PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", "false")).handoff());
        assertTrue(PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", " TRUE ")).handoff());
        assertTrue(PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", "yes")).handoff());
        assertEquals(false, PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", "Off")).handoff());
        assertEquals(false, PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", "0")).handoff());
        nl.omzien.config.ConfigException refused = org.junit.jupiter.api.Assertions.assertThrows(
            nl.omzien.config.ConfigException.class, () -> PushConfig.from(Map.of("OMZIEN_PUSH_HANDOFF", "maybe")));
        assertTrue(refused.getMessage().contains("OMZIEN_PUSH_HANDOFF"), refused.getMessage());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static UUID userWithDevice(TestApp app, String fcmToken) throws Exception {
        UUID user = UUID.randomUUID();
        var response = app.client().post("/v1/devices")
            .bearerTokenAuthentication(app.token(user, Set.of(Role.VOLUNTEER), Set.of()))
            .sendJsonObject(new JsonObject().put("token", fcmToken).put("platform", "android")
                .put("appVersion", "1.4.2").put("locale", "nl"))
            .await(10, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response::bodyAsString);
        return user;
    }

    private static UUID enqueue(TestApp app, UUID user, PushKind kind, boolean urgent) throws Exception {
        PushOutbox outbox = app.app().push().outbox();
        return app.app().database().pool().withTransaction(tx -> outbox.enqueue(tx, user, kind, urgent,
            Samples.ids(kind), Samples.PARAMS)).await(10, TimeUnit.SECONDS);
    }

    private static JsonObject status(Pool pool, UUID id) throws Exception {
        Row row = pool.preparedQuery("select status, attempts, claim_id from push_outbox where id = $1")
            .execute(Tuple.of(id)).await(10, TimeUnit.SECONDS).iterator().next();
        UUID claim = row.getUUID("claim_id");
        return new JsonObject().put("status", row.getString("status")).put("attempts", row.getInteger("attempts"))
            .put("claim_id", claim == null ? null : claim.toString());
    }

    /** Waits (polling the row, up to 10 s) until the push has {@code wanted} status. */
    private static JsonObject awaitStatus(Pool pool, UUID id, String wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonObject row = status(pool, id);
        while (!wanted.equals(row.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            row = status(pool, id);
        }
        assertEquals(wanted, row.getString("status"), row::encode);
        return row;
    }

    private static long count(Pool pool, String sql) throws Exception {
        return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
    }

    private static List<FcmFixture.Captured> captured(FcmFixture fcm, UUID messageId) {
        return fcm.captured().stream()
            .filter(c -> messageId.toString().equals(c.json().path("message").path("data").path("messageId").asString()))
            .toList();
    }
}
