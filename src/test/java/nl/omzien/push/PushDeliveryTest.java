package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.MutableClock;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Push delivery: devices, outbox and worker")
@ExtendWith(BlockedThreadWatch.class)
class PushDeliveryTest {
    /** Tuesday 12:00 in Utrecht: outside quiet hours. */
    private static final Instant NOON = ZonedDateTime.parse("2026-05-12T12:00:00+02:00[Europe/Amsterdam]").toInstant();
    private static final int MAX_ATTEMPTS = 3;
    private static final int OFFER_CAP = 2;

    private static final MutableClock CLOCK = new MutableClock(NOON);
    /** Per token, the answers FCM gives next; an empty script answers 200. */
    private static final Map<String, Deque<Supplier<MockLowLevelHttpResponse>>> SCRIPT = new ConcurrentHashMap<>();
    private static FcmFixture fcm;
    private static TestApp app;
    private static Pool pool;
    private static PushOutbox outbox;
    private static PushWorker worker;

    @BeforeAll
    static void start() throws Exception {
        fcm = new FcmFixture(request -> {
            Deque<Supplier<MockLowLevelHttpResponse>> next = SCRIPT.get(request.token());
            Supplier<MockLowLevelHttpResponse> answer = next == null ? null : next.pollFirst();
            return answer == null ? FcmFixture.ok() : answer.get();
        });
        // The poll's path (claims, leases, retries): no handoff, so every push waits for drain() (PushHandoffTest has
        // the handoff's).
        PushConfig config = PushConfig.defaults().withPollInterval(Duration.ZERO).withMaxAttempts(MAX_ATTEMPTS)
                .withOfferCap(OFFER_CAP).withHandoff(false);
        app = TestApp.start("push", Map.of(), PushOptions.of(new FcmPushSender(fcm.app(), CLOCK), CLOCK, config));
        pool = app.app().database().pool();
        outbox = app.app().push().outbox();
        worker = app.app().push().worker();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            app.close();
        } finally {
            fcm.close();
        }
    }

    @BeforeEach
    void reset() throws Exception {
        CLOCK.set(NOON);
        SCRIPT.clear();
        pool.query("delete from push_outbox").execute().await(10, TimeUnit.SECONDS);
        pool.query("delete from push_device").execute().await(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------------------- devices

    @Test
    @DisplayName("registers a device, answers in the contract's shape without the token, and refreshes its token")
    void registerAndRefresh() throws Exception {
        String token = app.token(Role.VOLUNTEER);
        var created = send(HttpMethod.POST, "/v1/devices", token, registration("tok-a", "en"));
        assertEquals(201, created.statusCode(), created::bodyAsString);
        app.assertMatchesContract("registerDevice", created);
        assertFalse(created.bodyAsString().contains("tok-a"), "the token is never echoed");
        String deviceId = created.bodyAsJsonObject().getString("deviceId");

        var refreshed = send(HttpMethod.PUT, "/v1/devices/" + deviceId, token,
                new JsonObject().put("token", "tok-b").put("appVersion", "1.5.0").encode());
        assertEquals(200, refreshed.statusCode(), refreshed::bodyAsString);
        app.assertMatchesContract("refreshDevice", refreshed);
        assertEquals("1.5.0", refreshed.bodyAsJsonObject().getString("appVersion"));
        assertEquals("tok-b", scalar("select token from push_device where id = $1", UUID.fromString(deviceId)));
    }

    @Test
    @DisplayName("a token registered again moves to the new caller and is active again; a person may have several devices")
    void tokenMovesToCaller() throws Exception {
        UUID ria = UUID.randomUUID();
        UUID kees = UUID.randomUUID();
        String riaToken = app.token(ria, Set.of(Role.RESIDENT), Set.of());
        String keesToken = app.token(kees, Set.of(Role.VOLUNTEER), Set.of());
        assertEquals(201, send(HttpMethod.POST, "/v1/devices", riaToken, registration("shared", "nl")).statusCode());
        assertEquals(201, send(HttpMethod.POST, "/v1/devices", riaToken, registration("tablet", "nl")).statusCode());
        pool.query("update push_device set active = false, deactivated_reason = 'token-invalid' where token = 'shared'")
                .execute().await(10, TimeUnit.SECONDS);

        var again = send(HttpMethod.POST, "/v1/devices", keesToken, registration("shared", "en"));
        assertEquals(200, again.statusCode(), again::bodyAsString);
        app.assertMatchesContract("registerDevice", again);
        assertTrue(again.bodyAsJsonObject().getBoolean("active"));
        assertEquals(kees, scalar("select user_id from push_device where token = 'shared'"));
        assertEquals(1L, scalar("select count(*) from push_device where user_id = $1 and active", ria));
    }

    @Test
    @DisplayName("logout forgets the device (204); someone else's device id is 404 and stays untouched")
    void deleteDevice() throws Exception {
        String owner = app.token(Role.RESIDENT);
        String other = app.token(Role.RESIDENT);
        String deviceId = send(HttpMethod.POST, "/v1/devices", owner, registration("to-delete", "nl"))
                .bodyAsJsonObject().getString("deviceId");

        var foreign = send(HttpMethod.DELETE, "/v1/devices/" + deviceId, other, null);
        assertProblem(foreign, 404);
        app.assertMatchesContract("deleteDevice", foreign);
        var foreignRefresh = send(HttpMethod.PUT, "/v1/devices/" + deviceId, other, "{\"token\":\"stolen\"}");
        assertProblem(foreignRefresh, 404);
        assertEquals("to-delete", scalar("select token from push_device where id = $1", UUID.fromString(deviceId)));

        var deleted = send(HttpMethod.DELETE, "/v1/devices/" + deviceId, owner, null);
        assertEquals(204, deleted.statusCode());
        app.assertMatchesContract("deleteDevice", deleted);
        assertEquals(0L, scalar("select count(*) from push_device"));
        assertProblem(send(HttpMethod.DELETE, "/v1/devices/" + deviceId, owner, null), 404);
    }

    @Test
    @DisplayName("refuses bad device input with 400 problem+json and writes nothing")
    void badInput() throws Exception {
        String token = app.token(Role.RESIDENT);
        for (String body : List.of(
                "{\"token\":\"t\",\"platform\":\"windows\",\"appVersion\":\"1.0\"}",
                "{\"token\":\"\",\"platform\":\"ios\",\"appVersion\":\"1.0\"}",
                "{\"token\":\"" + "x".repeat(4097) + "\",\"platform\":\"ios\",\"appVersion\":\"1.0\"}",
                "{\"token\":\"t\",\"platform\":\"ios\",\"appVersion\":\"1.0\",\"locale\":\"fr\"}",
                "{\"token\":\"t\",\"platform\":\"ios\",\"appVersion\":\"1.0\",\"userId\":\"" + UUID.randomUUID() + "\"}",
                "{\"platform\":\"ios\",\"appVersion\":\"1.0\"}")) {
            var response = send(HttpMethod.POST, "/v1/devices", token, body);
            assertProblem(response, 400);
            app.assertMatchesContract("registerDevice", response);
        }
        assertProblem(send(HttpMethod.PUT, "/v1/devices/not-a-uuid", token, "{\"token\":\"t\"}"), 400);
        assertEquals(0L, scalar("select count(*) from push_device"));
    }

    // ----------------------------------------------------------------------------------------------- outbox

    @Test
    @DisplayName("a push enqueued in a transaction that rolls back leaves no outbox row")
    void rollbackLeavesNothing() throws Exception {
        UUID user = UUID.randomUUID();
        UUID[] id = new UUID[1];
        Future<Object> failed = pool.withTransaction(tx -> outbox
                .enqueue(tx, user, PushKind.MATCH_CONFIRMED, true, Samples.ids(PushKind.MATCH_CONFIRMED), Samples.PARAMS)
                .compose(messageId -> {
                    id[0] = messageId;
                    return Future.failedFuture(new IllegalStateException("the caller's change failed"));
                }));
        assertTrue(failed.transform(done -> Future.succeededFuture(done.failed())).await(10, TimeUnit.SECONDS));
        assertNotNull(id[0]);
        assertEquals(0L, scalar("select count(*) from push_outbox where id = $1", id[0]));
        UUID committed = enqueue(user, PushKind.MATCH_CONFIRMED, true);
        assertEquals("pending", status(committed).getString("status"));
    }

    @Test
    @DisplayName("sends every kind through firebase-admin, one message per active device, in the user's language, "
            + "with data that matches mobile-contracts/push")
    void sendsEveryKind() throws Exception {
        UUID user = UUID.randomUUID();
        String token = app.token(user, Set.of(Role.VOLUNTEER), Set.of());
        send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"Kees\",\"language\":\"en\"}");
        send(HttpMethod.POST, "/v1/devices", token, registration("phone-" + user, "nl"));
        send(HttpMethod.POST, "/v1/devices", token, registration("tablet-" + user, "nl"));
        Map<UUID, PushKind> ids = new java.util.HashMap<>();
        for (PushKind kind : PushKind.values()) {
            ids.put(enqueue(user, kind, true), kind);
        }
        assertEquals(PushKind.values().length, drain());

        for (Map.Entry<UUID, PushKind> e : ids.entrySet()) {
            assertEquals("sent", status(e.getKey()).getString("status"), e.getValue().wireName());
            List<FcmFixture.Captured> sent = captured(e.getKey());
            assertEquals(2, sent.size(), "one FCM request per device");
            for (FcmFixture.Captured c : sent) {
                String data = c.json().path("message").path("data").toString();
                assertEquals(List.of(), ContractSchemas.validate(e.getValue(), data), data);
            }
        }
        UUID any = ids.keySet().iterator().next();
        String title = captured(any).get(0).json().path("message").path("notification").path("title").asString();
        assertEquals(new PushTemplates.Rendered(PushTemplates.EN, title, "").title(),
                PushTemplates.load().render(ids.get(any), PushTemplates.EN, Samples.PARAMS).title(),
                "rendered in the profile's language (en), not the device's (nl)");
    }

    @Test
    @DisplayName("429 with Retry-After and 503 are retried later (Retry-After honoured), then sent")
    void retriesTransientErrors() throws Exception {
        UUID quota = userWithDevice("quota");
        UUID unavailable = userWithDevice("unavailable");
        script("quota", () -> FcmFixture.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "QUOTA_EXCEEDED")
                .addHeader("Retry-After", "120"));
        script("unavailable", () -> FcmFixture.error(503, "UNAVAILABLE", "Unavailable", null));
        UUID first = enqueue(quota, PushKind.MATCH_CONFIRMED, true);
        UUID second = enqueue(unavailable, PushKind.MATCH_CONFIRMED, true);

        drain();
        JsonObject q = status(first);
        assertEquals("pending", q.getString("status"));
        assertEquals(1, q.getInteger("attempts"));
        assertTrue(Instant.parse(q.getString("due_at")).compareTo(NOON.plusSeconds(120)) >= 0, q::encode);
        assertTrue(q.getString("last_error").contains("429"), q::encode);
        JsonObject u = status(second);
        assertEquals("pending", u.getString("status"));
        assertFalse(Instant.parse(u.getString("due_at")).isAfter(NOON.plus(Backoff.ceiling(1))), u::encode);

        CLOCK.advance(Backoff.ceiling(1));
        drain();
        assertEquals("sent", status(second).getString("status"));
        assertEquals("pending", status(first).getString("status"), "Retry-After not over yet");

        CLOCK.advance(Duration.ofSeconds(120));
        drain();
        assertEquals("sent", status(first).getString("status"));
        assertEquals(2, captured(first).size());
        assertEquals(2, captured(second).size());
    }

    @Test
    @DisplayName("UNREGISTERED deactivates that device; the message counts as sent when another device took it")
    void unregisteredDeactivates() throws Exception {
        UUID user = UUID.randomUUID();
        String token = app.token(user, Set.of(Role.RESIDENT), Set.of());
        send(HttpMethod.POST, "/v1/devices", token, registration("dead-" + user, "nl"));
        script("dead-" + user, () -> FcmFixture.error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"));
        UUID onlyDead = enqueue(user, PushKind.MATCH_CONFIRMED, false);
        drain();
        assertEquals("dead", status(onlyDead).getString("status"));
        assertEquals(PushWorker.NO_DEVICE, status(onlyDead).getString("last_error"));
        assertEquals(false, scalar("select active from push_device where token = $1", "dead-" + user));
        assertEquals("token-invalid", scalar("select deactivated_reason from push_device where token = $1", "dead-" + user));

        send(HttpMethod.POST, "/v1/devices", token, registration("alive-" + user, "nl"));
        send(HttpMethod.POST, "/v1/devices", token, registration("gone-" + user, "nl"));
        script("gone-" + user, () -> FcmFixture.error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"));
        UUID mixed = enqueue(user, PushKind.MATCH_CONFIRMED, false);
        drain();
        assertEquals("sent", status(mixed).getString("status"));
        assertEquals(false, scalar("select active from push_device where token = $1", "gone-" + user));
        assertEquals(2, captured(mixed).size(), "the deactivated first device is not tried again");
    }

    @Test
    @DisplayName("after the last attempt a message is a dead letter, listed for admins; retry sends it")
    void deadLetterAndRetry() throws Exception {
        UUID user = userWithDevice("flaky");
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            script("flaky", () -> FcmFixture.error(503, "UNAVAILABLE", "Unavailable", null));
        }
        UUID id = enqueue(user, PushKind.MATCH_CONFIRMED, true);
        UUID noDevice = enqueue(UUID.randomUUID(), PushKind.MATCH_CONFIRMED, true);
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            drain();
            CLOCK.advance(Backoff.CAP);
        }
        JsonObject dead = status(id);
        assertEquals("dead", dead.getString("status"));
        assertTrue(dead.getString("last_error").startsWith("max-attempts"), dead::encode);
        assertEquals(MAX_ATTEMPTS, captured(id).size());

        String admin = app.token(Role.ADMIN);
        var first = send(HttpMethod.GET, "/v1/admin/push/dead-letters?limit=1", admin, null);
        assertEquals(200, first.statusCode(), first::bodyAsString);
        app.assertMatchesContract("listPushDeadLetters", first);
        String cursor = first.bodyAsJsonObject().getString("nextCursor");
        assertNotNull(cursor);
        var second = send(HttpMethod.GET, "/v1/admin/push/dead-letters?limit=1&cursor=" + cursor, admin, null);
        app.assertMatchesContract("listPushDeadLetters", second);
        assertNull(second.bodyAsJsonObject().getString("nextCursor"));
        JsonArray both = first.bodyAsJsonObject().getJsonArray("items").copy()
                .addAll(second.bodyAsJsonObject().getJsonArray("items"));
        assertEquals(Set.of(id.toString(), noDevice.toString()),
                Set.copyOf(both.stream().map(o -> ((JsonObject) o).getString("messageId")).toList()));
        var badCursor = send(HttpMethod.GET, "/v1/admin/push/dead-letters?cursor=Zm9v", admin, null);
        assertProblem(badCursor, 422);
        app.assertMatchesContract("listPushDeadLetters", badCursor);

        var retried = send(HttpMethod.POST, "/v1/admin/push/dead-letters/" + id + "/retry", admin, null);
        assertEquals(204, retried.statusCode(), retried::bodyAsString);
        app.assertMatchesContract("retryPushDeadLetter", retried);
        assertEquals(0, status(id).getInteger("attempts"));
        assertProblem(send(HttpMethod.POST, "/v1/admin/push/dead-letters/" + id + "/retry", admin, null), 404);
        drain();
        assertEquals("sent", status(id).getString("status"));
        assertEquals(MAX_ATTEMPTS + 1, captured(id).size());
    }

    @Test
    @DisplayName("non-admins get 403 on every admin endpoint")
    void adminOnly() throws Exception {
        String volunteer = app.token(Role.VOLUNTEER, Role.AMBASSADOR);
        assertProblem(send(HttpMethod.GET, "/v1/admin/push/dead-letters", volunteer, null), 403);
        assertProblem(send(HttpMethod.POST, "/v1/admin/push/dead-letters/" + UUID.randomUUID() + "/retry", volunteer, null), 403);
        var dryRun = send(HttpMethod.GET, "/v1/admin/push/dry-run", volunteer, null);
        assertProblem(dryRun, 403);
        app.assertMatchesContract("listPushDryRun", dryRun);
        var asAdmin = send(HttpMethod.GET, "/v1/admin/push/dry-run", app.token(Role.ADMIN), null);
        assertEquals(200, asAdmin.statusCode());
        assertEquals("fcm", asAdmin.bodyAsJsonObject().getString("mode"));
        app.assertMatchesContract("listPushDryRun", asAdmin);
    }

    @Test
    @DisplayName("quiet hours defer a non-urgent message to 08:00 and let an urgent one through")
    void quietHours() throws Exception {
        UUID user = userWithDevice("night");
        Instant lateEvening = ZonedDateTime.parse("2026-05-12T23:15:00+02:00[Europe/Amsterdam]").toInstant();
        Instant morning = ZonedDateTime.parse("2026-05-13T08:00:00+02:00[Europe/Amsterdam]").toInstant();
        CLOCK.set(lateEvening);
        UUID feedback = enqueue(user, PushKind.FEEDBACK_REQUESTED, true); // may not be urgent: stays non-urgent
        UUID cancelled = enqueue(user, PushKind.ACTIVITY_CANCELLED, true);
        UUID filled = enqueue(user, PushKind.OFFER_FILLED, false);
        assertEquals(morning, Instant.parse(status(feedback).getString("due_at")));

        drain();
        assertEquals("sent", status(cancelled).getString("status"));
        assertEquals("pending", status(feedback).getString("status"));
        assertEquals("pending", status(filled).getString("status"));

        CLOCK.set(morning);
        drain();
        assertEquals("sent", status(feedback).getString("status"));
        assertEquals("sent", status(filled).getString("status"));
    }

    @Test
    @DisplayName("my own quiet hours (21:00-09:30) hold non-urgent pushes until 09:30; back to default at 08:00")
    void ownQuietHours() throws Exception {
        UUID user = UUID.randomUUID();
        String token = app.token(user, Set.of(Role.VOLUNTEER), Set.of());
        assertEquals(200, send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"Nachtuil\"}").statusCode());
        JsonObject defaults = send(HttpMethod.GET, "/v1/me", token, null).bodyAsJsonObject().getJsonObject("quietHours");
        assertEquals(new JsonObject().put("start", "22:00").put("end", "08:00").put("custom", false), defaults);
        send(HttpMethod.POST, "/v1/devices", token, registration("own-quiet", "nl"));

        Instant evening = ZonedDateTime.parse("2026-05-12T21:30:00+02:00[Europe/Amsterdam]").toInstant();
        Instant eight = ZonedDateTime.parse("2026-05-13T08:00:00+02:00[Europe/Amsterdam]").toInstant();
        Instant halfPastNine = ZonedDateTime.parse("2026-05-13T09:30:00+02:00[Europe/Amsterdam]").toInstant();
        CLOCK.set(evening);
        UUID beforeChange = enqueue(user, PushKind.FEEDBACK_REQUESTED, false); // 21:30: not quiet by default
        var set = send(HttpMethod.PUT, "/v1/me/quiet-hours", token, "{\"start\":\"21:00\",\"end\":\"09:30\"}");
        assertEquals(200, set.statusCode(), set::bodyAsString);
        app.assertMatchesContract("putMyQuietHours", set);
        assertEquals(new JsonObject().put("start", "21:00").put("end", "09:30").put("custom", true), set.bodyAsJsonObject());
        var me = send(HttpMethod.GET, "/v1/me", token, null);
        app.assertMatchesContract("getMe", me);
        assertEquals(set.bodyAsJsonObject(), me.bodyAsJsonObject().getJsonObject("quietHours"));

        assertEquals(halfPastNine, Instant.parse(status(beforeChange).getString("due_at")),
                "a push already waiting moves to the end of my new quiet hours");
        UUID filled = enqueue(user, PushKind.OFFER_FILLED, false);
        UUID urgent = enqueue(user, PushKind.OFFER_MADE, true);
        assertEquals(halfPastNine, Instant.parse(status(filled).getString("due_at")));
        drain();
        assertEquals("sent", status(urgent).getString("status"), "urgent pushes ignore quiet hours");
        assertEquals("pending", status(filled).getString("status"));

        CLOCK.set(eight);
        drain();
        assertEquals("pending", status(filled).getString("status"), "08:00 is still quiet for me");
        var back = send(HttpMethod.DELETE, "/v1/me/quiet-hours", token, null);
        assertEquals(200, back.statusCode(), back::bodyAsString);
        app.assertMatchesContract("deleteMyQuietHours", back);
        assertEquals(defaults, back.bodyAsJsonObject());
        drain();
        assertEquals("sent", status(filled).getString("status"), "back to the default, 08:00 is past its end");
        assertEquals("sent", status(beforeChange).getString("status"));
    }

    @Test
    @DisplayName("quiet hours with start equal to end mean none; bad times are 400 and change nothing")
    void noQuietHours() throws Exception {
        UUID user = UUID.randomUUID();
        String token = app.token(user, Set.of(Role.RESIDENT), Set.of());
        send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"Vroege vogel\"}");
        for (String bad : List.of("{\"start\":\"24:00\",\"end\":\"08:00\"}", "{\"start\":\"7:00\",\"end\":\"08:00\"}",
                "{\"start\":\"22:00\"}", "{\"start\":\"22:00\",\"end\":\"08:00\",\"custom\":false}")) {
            var refused = send(HttpMethod.PUT, "/v1/me/quiet-hours", token, bad);
            assertProblem(refused, 400);
            app.assertMatchesContract("putMyQuietHours", refused);
        }
        assertNull(scalar("select quiet_start from app_user where id = $1", user));
        assertEquals(200, send(HttpMethod.PUT, "/v1/me/quiet-hours", token, "{\"start\":\"00:00\",\"end\":\"00:00\"}")
                .statusCode());
        CLOCK.set(ZonedDateTime.parse("2026-05-13T03:00:00+02:00[Europe/Amsterdam]").toInstant());
        UUID night = enqueue(user, PushKind.FEEDBACK_REQUESTED, false);
        assertEquals(CLOCK.instant(), Instant.parse(status(night).getString("due_at")));
    }

    @Test
    @DisplayName("past the cap, offer_made is suppressed ('capped') and never sent; other kinds are not capped")
    void offerCap() throws Exception {
        UUID volunteer = userWithDevice("busy");
        List<UUID> offers = new java.util.ArrayList<>();
        for (int i = 0; i < OFFER_CAP + 1; i++) {
            offers.add(enqueue(volunteer, PushKind.OFFER_MADE, true));
        }
        UUID filled = enqueue(volunteer, PushKind.OFFER_FILLED, false);
        drain();
        for (int i = 0; i < OFFER_CAP; i++) {
            assertEquals("sent", status(offers.get(i)).getString("status"));
        }
        JsonObject capped = status(offers.get(OFFER_CAP));
        assertEquals("suppressed", capped.getString("status"));
        assertEquals(PushOutbox.CAPPED, capped.getString("last_error"));
        assertEquals(0, captured(offers.get(OFFER_CAP)).size());
        assertEquals("sent", status(filled).getString("status"));
        // The count of a user's offer pushes stops at the cap; the cap still holds past it.
        for (int i = 0; i < 3; i++) {
            assertEquals("suppressed", status(enqueue(volunteer, PushKind.OFFER_MADE, true)).getString("status"));
        }

        CLOCK.advance(Duration.ofHours(24).plusSeconds(1));
        assertEquals("pending", status(enqueue(volunteer, PushKind.OFFER_MADE, true)).getString("status"),
                "the window is a rolling 24 h");
    }

    @Test
    @DisplayName("a batch (enqueueAll) writes exactly the rows the same pushes enqueued one by one would: quiet hours "
            + "(own and default), urgency, not-before, the offer cap counting the batch's own offers")
    void batchEqualsOneByOne() throws Exception {
        Instant evening = ZonedDateTime.parse("2026-05-12T21:30:00+02:00[Europe/Amsterdam]").toInstant();
        Instant tomorrow = evening.plus(Duration.ofHours(14));
        java.util.function.Function<String, List<PushOutbox.Push>> batch = name -> {
            UUID owl = UUID.randomUUID();
            UUID plain = UUID.randomUUID(); // no profile: the default quiet hours
            UUID busy = UUID.randomUUID();
            try {
                String token = app.token(owl, Set.of(Role.VOLUNTEER), Set.of());
                assertEquals(200, send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"" + name + "\"}").statusCode());
                assertEquals(200, send(HttpMethod.PUT, "/v1/me/quiet-hours", token,
                        "{\"start\":\"21:00\",\"end\":\"09:30\"}").statusCode());
                enqueue(busy, PushKind.OFFER_MADE, true); // one offer earlier today: one more fits under the cap
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return List.of(
                    push(owl, PushKind.OFFER_FILLED, false, null),
                    push(plain, PushKind.OFFER_FILLED, false, null),
                    push(owl, PushKind.MATCH_CONFIRMED, true, null),
                    push(busy, PushKind.OFFER_MADE, true, null),
                    push(plain, PushKind.APPOINTMENT_REMINDER, false, tomorrow),
                    push(busy, PushKind.OFFER_MADE, false, null),
                    push(owl, PushKind.OFFER_MADE, false, null),
                    push(busy, PushKind.OFFER_MADE, true, null),
                    push(busy, PushKind.FEEDBACK_REQUESTED, true, null));
        };
        CLOCK.set(evening);
        List<PushOutbox.Push> single = batch.apply("Een");
        List<UUID> oneByOne = new java.util.ArrayList<>();
        for (PushOutbox.Push p : single) {
            oneByOne.add(pool.withTransaction(tx -> outbox.enqueue(tx, p.userId(), p.kind(), p.urgent(), p.ids(),
                    p.params(), p.notBefore())).await(10, TimeUnit.SECONDS));
        }
        List<PushOutbox.Push> all = batch.apply("Alle");
        List<UUID> batched = pool.withTransaction(tx -> outbox.enqueueAll(tx, all)).await(10, TimeUnit.SECONDS);

        assertEquals(single.size(), batched.size());
        for (int i = 0; i < single.size(); i++) {
            assertEquals(row(oneByOne.get(i)), row(batched.get(i)), "push " + i + " (" + all.get(i).kind() + ")");
        }
        assertEquals("pending", status(batched.get(3)).getString("status"), "the second offer today fits");
        assertEquals(PushOutbox.CAPPED, status(batched.get(5)).getString("last_error"), "the third is capped");
        assertEquals(PushOutbox.CAPPED, status(batched.get(7)).getString("last_error"));
        assertEquals("pending", status(batched.get(6)).getString("status"), "the cap is per person");
        assertEquals(List.of(), pool.withTransaction(tx -> outbox.enqueueAll(tx, List.of())).await(10, TimeUnit.SECONDS));
    }

    @Test
    @DisplayName("the users' facts of small batches are planned once per connection, not on every batch (issue #6)")
    void smallBatchesKeepOnePlan() throws Exception {
        SqlConnection conn = pool.getConnection().await(10, TimeUnit.SECONDS);
        try {
            long[] before = factsPlans(conn);
            for (int i = 0; i < 12; i++) {
                UUID volunteer = UUID.randomUUID();
                UUID resident = UUID.randomUUID();
                List<PushOutbox.Push> batch = List.of(push(volunteer, PushKind.OFFER_MADE, true, null),
                        push(resident, PushKind.OFFER_FILLED, false, null),
                        push(resident, PushKind.APPOINTMENT_REMINDER, false, NOON.plus(Duration.ofDays(3))));
                assertEquals(3, outbox.enqueueAll(conn, batch).await(10, TimeUnit.SECONDS).size());
            }
            long[] after = factsPlans(conn);
            // PostgreSQL plans a prepared statement for the given values five times, then keeps its generic plan
            // if that is no dearer. Before the fix every one of the 12 calls was planned for its values.
            assertEquals(12, after[0] + after[1] - before[0] - before[1], "12 executions");
            assertTrue(after[1] - before[1] <= 5, "planned for its values " + (after[1] - before[1]) + " times");
        } finally {
            conn.close();
        }
    }

    @Test
    @DisplayName("a claim takes at most a batch whatever plan PostgreSQL keeps, also the one it made while the outbox was empty (issue #6)")
    void claimHoldsItsLimitUnderAnEmptyTablesPlan() throws Exception {
        // A connection of its own: its temporary push_outbox hides the real one, never gets statistics from
        // autovacuum (as a fresh database's outbox has none until its first analyze), and goes with the connection.
        PgConnection conn = PgConnection.connect(app.clientVertx(), app.app().database().target().connectOptions())
                .await(10, TimeUnit.SECONDS);
        try {
            conn.query("create temporary table push_outbox (like public.push_outbox including all)").execute()
                    .await(10, TimeUnit.SECONDS);
            conn.query("analyze push_outbox").execute().await(10, TimeUnit.SECONDS);
            // The plan PostgreSQL keeps for a prepared statement after five executions, made now, for an empty table.
            conn.query("set plan_cache_mode = force_generic_plan").execute().await(10, TimeUnit.SECONDS);
            OffsetDateTime now = PushOutbox.utc(NOON);
            Tuple claim = Tuple.of(now, PushOutbox.utc(NOON.plusSeconds(60)), UUID.randomUUID(), 10);
            assertEquals(0, conn.preparedQuery(PushWorker.CLAIM).execute(claim).await(10, TimeUnit.SECONDS).size());

            // In the order they fell due, as an outbox fills.
            conn.preparedQuery("insert into push_outbox (id, user_id, kind, due_at, created_at)"
                    + " select gen_random_uuid(), gen_random_uuid(), 'offer_made', $1 - make_interval(secs => 301 - i), $1"
                    + " from generate_series(1, 300) i").execute(Tuple.of(now)).await(10, TimeUnit.SECONDS);
            RowSet<Row> claimed = conn.preparedQuery(PushWorker.CLAIM).execute(claim).await(10, TimeUnit.SECONDS);
            // Before the fix the subquery's LIMIT sat on the inner side of a nested loop, was run again for every
            // outbox row and claimed all 300, reading the table once per row.
            assertEquals(10, claimed.size(), "rows claimed by one claim of 10");
            assertEquals(10L, conn.query("select count(*) from push_outbox where status = 'sending'").execute()
                    .await(10, TimeUnit.SECONDS).iterator().next().getLong(0));
            assertEquals(ids(conn.query("select id from push_outbox order by due_at limit 10").execute()
                    .await(10, TimeUnit.SECONDS)), ids(claimed), "the claim takes the longest due first");
        } finally {
            conn.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static Set<UUID> ids(RowSet<Row> rows) {
        Set<UUID> ids = new HashSet<>();
        rows.forEach(row -> ids.add(row.getUUID("id")));
        return ids;
    }

    /** This connection's plans of the users' facts statement so far: {generic, value-specific}. */
    private static long[] factsPlans(SqlConnection conn) throws Exception {
        for (Row row : conn.query("select generic_plans, custom_plans from pg_prepared_statements"
                + " where statement like '%a.quiet_start, a.quiet_end%'").execute().await(10, TimeUnit.SECONDS)) {
            return new long[] {row.getLong("generic_plans"), row.getLong("custom_plans")};
        }
        return new long[] {0, 0};
    }

    @Test
    @DisplayName("a batch with one push that does not render fails as a whole and writes nothing")
    void batchFailsWhole() throws Exception {
        UUID user = UUID.randomUUID();
        long before = (Long) scalar("select count(*) from push_outbox");
        Future<List<UUID>> failed = pool.withTransaction(tx -> outbox.enqueueAll(tx, List.of(
                push(user, PushKind.OFFER_MADE, true, null),
                new PushOutbox.Push(user, PushKind.OFFER_FILLED, false, Map.of(), Samples.PARAMS))));
        assertTrue(failed.transform(done -> Future.succeededFuture(done.failed())).await(10, TimeUnit.SECONDS));
        assertEquals(before, scalar("select count(*) from push_outbox"));
    }

    private static PushOutbox.Push push(UUID user, PushKind kind, boolean urgent, Instant notBefore) {
        return new PushOutbox.Push(user, kind, urgent, Samples.ids(kind), Samples.PARAMS, notBefore);
    }

    /** What an outbox row says, without its ids and user. */
    private static JsonObject row(UUID id) throws Exception {
        Row row = pool.preparedQuery("select kind, urgent, offer_id, request_id, activity_id, params, status, due_at, "
                        + "created_at, last_error, not_before from push_outbox where id = $1")
                .execute(Tuple.of(id)).await(10, TimeUnit.SECONDS).iterator().next();
        JsonObject json = new JsonObject();
        for (int c = 0; c < row.size(); c++) {
            Object value = row.getValue(c);
            json.put(row.getColumnName(c), value == null ? null : value.toString());
        }
        return json;
    }

    @Test
    @DisplayName("after a crash mid-send, a fresh worker takes rows whose lease expired and sends each exactly once")
    void restartMidSending() throws Exception {
        UUID user = userWithDevice("crash");
        List<UUID> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(enqueue(user, PushKind.MATCH_CONFIRMED, true));
        }
        UUID leased = enqueue(user, PushKind.MATCH_CONFIRMED, true);
        // What a worker that died after claiming leaves behind: 'sending', attempts 1, lease over (or not yet).
        pool.preparedQuery("update push_outbox set status = 'sending', attempts = 1, claim_id = $2, lease_until = $3 where id = any($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new), UUID.randomUUID(), OffsetDateTime.ofInstant(NOON.minusSeconds(1), ZoneOffset.UTC)))
                .await(10, TimeUnit.SECONDS);
        pool.preparedQuery("update push_outbox set status = 'sending', attempts = 1, claim_id = $2, lease_until = $3 where id = $1")
                .execute(Tuple.of(leased, UUID.randomUUID(), OffsetDateTime.ofInstant(NOON.plusSeconds(60), ZoneOffset.UTC)))
                .await(10, TimeUnit.SECONDS);

        PushWorker fresh = new PushWorker(pool, new nl.omzien.runtime.BlockingExecutor(app.app().vertx(), "fresh", 2, 8),
                new FcmPushSender(fcm.app(), CLOCK), PushTemplates.load(),
                PushConfig.defaults().withPollInterval(Duration.ZERO), CLOCK);
        assertEquals(5, fresh.drain().await(30, TimeUnit.SECONDS));
        assertEquals(0, fresh.drain().await(30, TimeUnit.SECONDS));
        assertEquals(0, worker.drain().await(30, TimeUnit.SECONDS));
        for (UUID id : ids) {
            assertEquals("sent", status(id).getString("status"));
            assertEquals(1, captured(id).size(), "exactly once per messageId");
        }
        assertEquals("sending", status(leased).getString("status"), "a live lease is respected");
        assertEquals(0, captured(leased).size());

        CLOCK.advance(Duration.ofSeconds(61));
        assertEquals(1, fresh.drain().await(30, TimeUnit.SECONDS));
        assertEquals(1, captured(leased).size());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static String registration(String fcmToken, String locale) {
        return new JsonObject().put("token", fcmToken).put("platform", "android").put("appVersion", "1.4.2")
                .put("locale", locale).encode();
    }

    private static UUID userWithDevice(String fcmToken) throws Exception {
        UUID user = UUID.randomUUID();
        var response = send(HttpMethod.POST, "/v1/devices", app.token(user, Set.of(Role.VOLUNTEER), Set.of()),
                registration(fcmToken, "nl"));
        assertEquals(201, response.statusCode(), response::bodyAsString);
        return user;
    }

    private static void script(String fcmToken, Supplier<MockLowLevelHttpResponse> answer) {
        SCRIPT.computeIfAbsent(fcmToken, t -> new java.util.concurrent.ConcurrentLinkedDeque<>()).addLast(answer);
    }

    private static UUID enqueue(UUID user, PushKind kind, boolean urgent) throws Exception {
        return pool.withTransaction(tx -> outbox.enqueue(tx, user, kind, urgent, Samples.ids(kind), Samples.PARAMS))
                .await(10, TimeUnit.SECONDS);
    }

    private static int drain() throws Exception {
        return worker.drain().await(30, TimeUnit.SECONDS);
    }

    private static JsonObject status(UUID id) throws Exception {
        Row row = pool.preparedQuery("select status, attempts, due_at, last_error from push_outbox where id = $1")
                .execute(Tuple.of(id)).await(10, TimeUnit.SECONDS).iterator().next();
        return new JsonObject().put("status", row.getString("status")).put("attempts", row.getInteger("attempts"))
                .put("due_at", row.getOffsetDateTime("due_at").toInstant().toString())
                .put("last_error", row.getString("last_error"));
    }

    private static Object scalar(String sql, Object... params) throws Exception {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS)
                .iterator().next().getValue(0);
    }

    private static List<FcmFixture.Captured> captured(UUID messageId) {
        return fcm.captured().stream()
                .filter(c -> messageId.toString().equals(c.json().path("message").path("data").path("messageId").asString()))
                .toList();
    }

    private static HttpResponse<Buffer> send(HttpMethod method, String path, String token, String body) throws Exception {
        var request = app.client().request(method, path).bearerTokenAuthentication(token);
        if (body == null) {
            return request.send().await(10, TimeUnit.SECONDS);
        }
        request.putHeader("Content-Type", "application/json");
        return request.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
    }

    private static void assertProblem(HttpResponse<Buffer> response, int status) {
        assertEquals(status, response.statusCode(), response::bodyAsString);
        assertEquals("application/problem+json", response.getHeader("Content-Type"));
        assertEquals(status, response.bodyAsJsonObject().getInteger("status"));
    }
}
