package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import nl.omzien.push.SendResult.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@DisplayName("FcmPushSender")
class FcmPushSenderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-05-11T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private final PushTemplates templates = PushTemplates.load();

    /** What a worker would know about a help request, including what must never reach a push. */
    private record HelpRequest(UUID requestId, UUID offerId, UUID activityId, String residentName, String street,
                               String postcode, String phone, String healthNote, String helpCode) {
    }

    private static final HelpRequest REQUEST = new HelpRequest(Samples.REQUEST, Samples.OFFER, Samples.ACTIVITY,
            "Johanna de Vries", "Oudegracht 123", "3511 AB", "06-12345678", "slechtziend, rolstoel", "ride");

    /** How the worker is meant to render: ids and non-personal parameters only. */
    private PushMessage render(PushKind kind, HelpRequest r, String token, Locale locale) {
        Map<PushRef, UUID> ids = new java.util.EnumMap<>(PushRef.class);
        for (PushRef ref : kind.refs()) {
            ids.put(ref, switch (ref) {
                case OFFER -> r.offerId();
                case REQUEST -> r.requestId();
                case ACTIVITY -> r.activityId();
            });
        }
        return templates.message(UUID.randomUUID(), kind, token, locale, kind.mayBeUrgent(), ids,
                Samples.PARAMS.withHelpKind(r.helpCode()));
    }

    private List<PushMessage> onePerKind(Locale locale) {
        List<PushMessage> batch = new ArrayList<>();
        for (PushKind kind : PushKind.values()) {
            batch.add(render(kind, REQUEST, Samples.token(kind.ordinal()), locale));
        }
        return batch;
    }

    @Nested
    @DisplayName("what firebase-admin actually sends")
    class WireFormat {

        @Test
        @DisplayName("one POST per message to the v1 send endpoint, with a bearer token, whose data validates against the kind's schema")
        void dataPayloadOnTheWireMatchesContract() {
            try (FcmFixture fcm = FcmFixture.acceptingAll()) {
                List<PushMessage> batch = onePerKind(PushTemplates.NL);
                List<SendResult> results = new FcmPushSender(fcm.app(), CLOCK).send(batch);

                assertEquals(batch.size(), fcm.captured().size());
                for (SendResult r : results) {
                    assertEquals(Outcome.SENT, r.outcome());
                    assertEquals("projects/omzien-test/messages/123", r.fcmName());
                }
                for (FcmFixture.Captured c : fcm.captured()) {
                    assertEquals("POST", c.method());
                    assertEquals(FcmFixture.SEND_URL, c.url());
                    assertEquals("Bearer fake", c.authorization());
                    JsonNode data = c.json().path("message").path("data");
                    PushKind kind = PushKind.fromWireName(data.path("kind").asString());
                    assertEquals(List.of(), ContractSchemas.validate(kind, JSON.writeValueAsString(data)),
                            "data of " + kind.wireName() + " on the wire");
                }
            }
        }

        @Test
        @DisplayName("no request body contains the resident's name, street, postcode, phone or health note, in any language")
        void nothingPersonalLeavesTheServer() {
            Pattern postcode = Pattern.compile("\\b\\d{4}\\s?[A-Z]{2}\\b");
            Pattern phone = Pattern.compile("\\b0[1-9][0-9 -]{8,}\\b");
            for (Locale locale : List.of(PushTemplates.NL, PushTemplates.EN)) {
                try (FcmFixture fcm = FcmFixture.acceptingAll()) {
                    new FcmPushSender(fcm.app(), CLOCK).send(onePerKind(locale));
                    for (FcmFixture.Captured c : fcm.captured()) {
                        JsonNode message = c.json().path("message");
                        String visible = message.path("notification").path("title").asString() + " "
                                + message.path("notification").path("body").asString();
                        for (String secret : List.of(REQUEST.residentName(), "Johanna", "Vries", REQUEST.street(),
                                "Oudegracht", REQUEST.postcode(), REQUEST.phone(), "slechtziend", "rolstoel")) {
                            assertFalse(c.body().contains(secret), "request body contains " + secret);
                        }
                        assertFalse(postcode.matcher(visible).find(), "postcode-like text: " + visible);
                        assertFalse(phone.matcher(visible).find(), "phone-like text: " + visible);
                    }
                }
            }
        }

        @Test
        @DisplayName("urgent goes out as Android HIGH and APNs 10 with sound; normal as NORMAL and 5; collapse id, tag and TTL carry the message")
        void priorityCollapseAndTtl() {
            try (FcmFixture fcm = FcmFixture.acceptingAll()) {
                PushMessage urgent = templates.message(UUID.randomUUID(), PushKind.OFFER_MADE, Samples.token(1),
                        PushTemplates.NL, true, Samples.ids(PushKind.OFFER_MADE), Samples.PARAMS);
                PushMessage normal = templates.message(UUID.randomUUID(), PushKind.FEEDBACK_REQUESTED, Samples.token(2),
                        PushTemplates.EN, false, Samples.ids(PushKind.FEEDBACK_REQUESTED), Samples.PARAMS);
                new FcmPushSender(fcm.app(), CLOCK).send(List.of(urgent, normal));

                JsonNode u = byToken(fcm, urgent.token());
                assertEquals(urgent.token(), u.path("token").asString());
                assertEquals("high", u.path("android").path("priority").asString());
                assertEquals("21600s", u.path("android").path("ttl").asString());
                assertEquals(urgent.messageId().toString(), u.path("android").path("notification").path("tag").asString());
                assertEquals(FcmPushSender.CHANNEL_URGENT, u.path("android").path("notification").path("channel_id").asString());
                JsonNode uh = u.path("apns").path("headers");
                assertEquals("10", uh.path("apns-priority").asString());
                assertEquals("alert", uh.path("apns-push-type").asString());
                assertEquals(urgent.messageId().toString(), uh.path("apns-collapse-id").asString());
                assertEquals(Long.toString(NOW.plus(Duration.ofHours(6)).getEpochSecond()), uh.path("apns-expiration").asString());
                assertEquals("default", u.path("apns").path("payload").path("aps").path("sound").asString());
                assertEquals(urgent.title(), u.path("notification").path("title").asString());
                assertEquals(urgent.body(), u.path("notification").path("body").asString());

                JsonNode n = byToken(fcm, normal.token());
                assertEquals("normal", n.path("android").path("priority").asString());
                assertEquals(FcmPushSender.CHANNEL_DEFAULT, n.path("android").path("notification").path("channel_id").asString());
                assertEquals("5", n.path("apns").path("headers").path("apns-priority").asString());
                assertTrue(n.path("apns").path("payload").path("aps").path("sound").isMissingNode());
                assertEquals("false", n.path("data").path("urgent").asString());
                assertTrue(n.path("notification").path("title").asString().startsWith("How did it go"));
            }
        }

        private JsonNode byToken(FcmFixture fcm, String token) {
            return fcm.captured().stream().filter(c -> token.equals(c.token())).findFirst().orElseThrow().json().path("message");
        }
    }

    @Nested
    @DisplayName("error mapping")
    class Errors {

        private SendResult sendOne(FcmFixture fcm) {
            PushMessage m = Samples.message(templates, PushKind.OFFER_MADE, Samples.token(1));
            List<SendResult> results = new FcmPushSender(fcm.app(), CLOCK).send(List.of(m));
            assertEquals(1, results.size());
            assertEquals(m.messageId(), results.get(0).messageId());
            return results.get(0);
        }

        @Test
        @DisplayName("429 with Retry-After: 30 is RETRY after 30 s, and the SDK does not retry by itself")
        void quotaWithRetryAfter() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "QUOTA_EXCEEDED")
                    .addHeader("Retry-After", "30"))) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.RETRY, r.outcome());
                assertEquals(Duration.ofSeconds(30), r.retryAfter());
                assertEquals(1, fcm.captured().size());
            }
        }

        @Test
        @DisplayName("Retry-After as an HTTP date is turned into the wait from now")
        void retryAfterAsDate() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(503, "UNAVAILABLE", "Unavailable", null)
                    .addHeader("Retry-After", "Mon, 11 May 2026 12:02:00 GMT"))) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.RETRY, r.outcome());
                assertEquals(Duration.ofMinutes(2), r.retryAfter());
            }
        }

        @Test
        @DisplayName("503 is RETRY without a server wait, after exactly one HTTP request (SDK retries are off)")
        void unavailable() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(503, "UNAVAILABLE", "The service is currently unavailable.", null))) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.RETRY, r.outcome());
                assertNull(r.retryAfter());
                assertEquals(1, fcm.captured().size());
            }
        }

        @Test
        @DisplayName("500 INTERNAL is RETRY")
        void internal() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(500, "INTERNAL", "Internal error", "INTERNAL"))) {
                assertEquals(Outcome.RETRY, sendOne(fcm).outcome());
            }
        }

        @Test
        @DisplayName("404 UNREGISTERED is TOKEN_INVALID")
        void unregistered() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.json(404,
                    "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\","
                            + "\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}"))) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.TOKEN_INVALID, r.outcome());
                assertTrue(r.error().contains("UNREGISTERED"));
            }
        }

        @Test
        @DisplayName("403 SENDER_ID_MISMATCH is TOKEN_INVALID")
        void senderIdMismatch() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH"))) {
                assertEquals(Outcome.TOKEN_INVALID, sendOne(fcm).outcome());
            }
        }

        @Test
        @DisplayName("400 INVALID_ARGUMENT about the registration token is TOKEN_INVALID")
        void invalidToken() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(400, "INVALID_ARGUMENT",
                    "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT"))) {
                assertEquals(Outcome.TOKEN_INVALID, sendOne(fcm).outcome());
            }
        }

        @Test
        @DisplayName("400 INVALID_ARGUMENT with a field violation on message.token is TOKEN_INVALID")
        void invalidTokenFieldViolation() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.json(400,
                    "{\"error\":{\"code\":400,\"message\":\"Request contains an invalid argument.\",\"status\":\"INVALID_ARGUMENT\","
                            + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":"
                            + "[{\"field\":\"message.token\",\"description\":\"Invalid registration token\"}]}]}}"))) {
                assertEquals(Outcome.TOKEN_INVALID, sendOne(fcm).outcome());
            }
        }

        @Test
        @DisplayName("400 INVALID_ARGUMENT about anything else is FAILED: the payload is wrong, the token stays")
        void invalidPayload() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.json(400,
                    "{\"error\":{\"code\":400,\"message\":\"Invalid value at 'message.android.ttl'\",\"status\":\"INVALID_ARGUMENT\","
                            + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":"
                            + "[{\"field\":\"message.android.ttl\",\"description\":\"Invalid value\"}]}]}}"))) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.FAILED, r.outcome());
                assertNull(r.retryAfter());
            }
        }

        @Test
        @DisplayName("401 THIRD_PARTY_AUTH_ERROR (APNs certificate) is FAILED")
        void thirdPartyAuth() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(401, "UNAUTHENTICATED", "Auth error from APNS", "THIRD_PARTY_AUTH_ERROR"))) {
                assertEquals(Outcome.FAILED, sendOne(fcm).outcome());
                assertEquals(2, fcm.captured().size(), "one send, one re-send after refreshing the access token");
            }
        }

        @Test
        @DisplayName("401 without an FCM error code (our credentials) is RETRY: the message is fine, the set-up is not")
        void unauthenticated() {
            try (FcmFixture fcm = new FcmFixture(c -> FcmFixture.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", null))) {
                assertEquals(Outcome.RETRY, sendOne(fcm).outcome());
            }
        }

        @Test
        @DisplayName("a network failure without any HTTP answer is RETRY")
        void networkFailure() {
            try (FcmFixture fcm = new FcmFixture(c -> {
                throw new java.io.IOException("connection reset");
            })) {
                SendResult r = sendOne(fcm);
                assertEquals(Outcome.RETRY, r.outcome());
                assertNull(r.retryAfter());
                assertEquals(1, fcm.captured().size());
                assertFalse(r.error().startsWith("sendEach failed"), "classified per message: " + r.error());
            }
        }

        @Test
        @DisplayName("a mixed batch gets one result per message, in the order of the batch")
        void mixedBatchKeepsOrder() {
            List<PushMessage> batch = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                batch.add(Samples.message(templates, PushKind.values()[i % PushKind.values().length], "tok-" + (i % 4) + "-" + i));
            }
            try (FcmFixture fcm = new FcmFixture(c -> switch (c.token().charAt(4)) {
                case '0' -> FcmFixture.ok();
                case '1' -> FcmFixture.error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED");
                case '2' -> FcmFixture.error(429, "RESOURCE_EXHAUSTED", "Quota", "QUOTA_EXCEEDED").addHeader("Retry-After", "7");
                default -> FcmFixture.error(400, "INVALID_ARGUMENT", "Message is too big", "INVALID_ARGUMENT");
            })) {
                List<SendResult> results = new FcmPushSender(fcm.app(), CLOCK).send(batch);
                assertEquals(batch.size(), results.size());
                assertEquals(batch.size(), fcm.captured().size());
                for (int i = 0; i < batch.size(); i++) {
                    SendResult r = results.get(i);
                    assertEquals(batch.get(i).messageId(), r.messageId());
                    Outcome expected = switch (i % 4) {
                        case 0 -> Outcome.SENT;
                        case 1 -> Outcome.TOKEN_INVALID;
                        case 2 -> Outcome.RETRY;
                        default -> Outcome.FAILED;
                    };
                    assertEquals(expected, r.outcome(), "message " + i);
                    if (expected == Outcome.RETRY) {
                        assertEquals(Duration.ofSeconds(7), r.retryAfter());
                    }
                }
            }
        }

        @Test
        @DisplayName("more than 500 messages are split into sendEach batches and all get a result in order")
        void splitsLargeBatches() {
            List<PushMessage> batch = new ArrayList<>();
            for (int i = 0; i < 1203; i++) {
                batch.add(Samples.message(templates, PushKind.ACTIVITY_REMINDER, Samples.token(i)));
            }
            try (FcmFixture fcm = FcmFixture.acceptingAll()) {
                List<SendResult> results = new FcmPushSender(fcm.app(), CLOCK).send(batch);
                assertEquals(1203, results.size());
                assertEquals(1203, fcm.captured().size());
                for (int i = 0; i < batch.size(); i++) {
                    assertEquals(batch.get(i).messageId(), results.get(i).messageId());
                    assertEquals(Outcome.SENT, results.get(i).outcome());
                }
            }
        }

        @Test
        @DisplayName("an empty batch sends nothing")
        void emptyBatch() {
            try (FcmFixture fcm = FcmFixture.acceptingAll()) {
                assertEquals(List.of(), new FcmPushSender(fcm.app(), CLOCK).send(List.of()));
                assertEquals(0, fcm.captured().size());
            }
        }
    }

    @Test
    @DisplayName("with an FcmThreadManager the requests go out on its named threads")
    void sendsOnOwnThreads() {
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (FcmFixture fcm = new FcmFixture(c -> {
            threads.add(Thread.currentThread().getName());
            return FcmFixture.ok();
        }, new FcmThreadManager(3))) {
            List<PushMessage> batch = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                batch.add(Samples.message(templates, PushKind.ACTIVITY_REMINDER, Samples.token(i)));
            }
            List<SendResult> results = new FcmPushSender(fcm.app(), CLOCK).send(batch);
            assertTrue(results.stream().allMatch(r -> r.outcome() == Outcome.SENT));
        }
        assertFalse(threads.isEmpty());
        assertTrue(threads.size() <= 3, threads.toString());
        assertTrue(threads.stream().allMatch(n -> n.startsWith("fcm-send-")), threads.toString());
    }

    @Test
    @DisplayName("OMZIEN_FCM_THREADS sizes the send pool, 100 by default")
    void threadsFromEnvironment() {
        assertEquals(100, FcmPushSender.threads(Map.of()));
        assertEquals(32, FcmPushSender.threads(Map.of("OMZIEN_FCM_THREADS", "32")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FcmPushSender.threads(Map.of("OMZIEN_FCM_THREADS", "0")));
    }

    @Test
    @DisplayName("without GOOGLE_APPLICATION_CREDENTIALS there is no FCM sender (the demo uses the dry run)")
    void noCredentialsNoSender() {
        assertTrue(FcmPushSender.fromEnvironment(Map.of()).isEmpty());
        assertTrue(FcmPushSender.fromEnvironment(Map.of("GOOGLE_APPLICATION_CREDENTIALS", " ")).isEmpty());
    }

    @Test
    @DisplayName("Retry-After values that are negative or garbage are ignored")
    void retryAfterParsing() {
        assertEquals(Duration.ofSeconds(120), FcmPushSender.parseRetryAfter(" 120 ", CLOCK));
        assertNull(FcmPushSender.parseRetryAfter("-5", CLOCK));
        assertNull(FcmPushSender.parseRetryAfter("soon", CLOCK));
        assertEquals(Duration.ZERO, FcmPushSender.parseRetryAfter("Mon, 11 May 2026 11:00:00 GMT", CLOCK));
    }
}
