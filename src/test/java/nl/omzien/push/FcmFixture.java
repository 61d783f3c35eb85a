package nl.omzien.push;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockHttpTransport;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An offline FCM: a FirebaseApp whose HTTP transport records every request firebase-admin builds and
 * answers it with whatever the test's responder returns. Thread-safe (sendEach sends in parallel).
 */
public final class FcmFixture implements AutoCloseable {

    public static final String PROJECT = "omzien-test";
    public static final String SEND_URL = "https://fcm.googleapis.com/v1/projects/" + PROJECT + "/messages:send";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One HTTP request as firebase-admin sent it. */
    public record Captured(String method, String url, String authorization, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        /** The {@code message.token} of the request body. */
        public String token() {
            return json().path("message").path("token").asString();
        }
    }

    /** Answers one request; may throw to simulate a network failure. */
    @FunctionalInterface
    public interface Responder {
        MockLowLevelHttpResponse answer(Captured request) throws IOException;
    }

    private final Queue<Captured> captured = new ConcurrentLinkedQueue<>();
    private final FirebaseApp app;

    /** A fixture whose transport answers with {@code responder(request)}; a fresh response per request. */
    public FcmFixture(Responder responder) {
        this(responder, null);
    }

    /** A fixture whose FirebaseApp sends on {@code threads} (null: firebase-admin's default executor). */
    public FcmFixture(Responder responder, com.google.firebase.ThreadManager threads) {
        MockHttpTransport transport = new MockHttpTransport() {
            @Override
            public LowLevelHttpRequest buildRequest(String method, String url) {
                return new MockLowLevelHttpRequest(url) {
                    @Override
                    public LowLevelHttpResponse execute() throws IOException {
                        Captured c = new Captured(method, url, getFirstHeaderValue("Authorization"), getContentAsString());
                        captured.add(c);
                        return responder.answer(c);
                    }
                };
            }
        };
        FirebaseOptions.Builder options = FirebaseOptions.builder()
                .setProjectId(PROJECT)
                .setCredentials(new RefreshableFakeCredentials())
                .setHttpTransport(transport);
        if (threads != null) {
            options.setThreadManager(threads);
        }
        this.app = FirebaseApp.initializeApp(options.build(), "fcm-fixture-" + UUID.randomUUID());
    }

    /** A fixture that accepts every message. */
    public static FcmFixture acceptingAll() {
        return new FcmFixture(c -> ok());
    }

    public FirebaseApp app() {
        return app;
    }

    public List<Captured> captured() {
        return List.copyOf(captured);
    }

    /** 200 with an FCM message name. */
    public static MockLowLevelHttpResponse ok() {
        return json(200, "{\"name\":\"projects/" + PROJECT + "/messages/123\"}");
    }

    /** An FCM v1 error response; {@code fcmErrorCode} may be null for errors without FcmError details. */
    public static MockLowLevelHttpResponse error(int status, String grpcStatus, String message, String fcmErrorCode) {
        String details = fcmErrorCode == null ? "[]"
                : "[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"" + fcmErrorCode + "\"}]";
        return json(status, "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\""
                + grpcStatus + "\",\"details\":" + details + "}}");
    }

    public static MockLowLevelHttpResponse json(int status, String body) {
        return new MockLowLevelHttpResponse()
                .setStatusCode(status)
                .setContentType("application/json; charset=UTF-8")
                .setContent(body);
    }

    /**
     * A fake access token that can also be "refreshed", as real service-account credentials can: on a 401
     * the google-auth adapter refreshes and re-sends once, and {@code GoogleCredentials.create(token)}
     * would throw there instead of behaving like production.
     */
    static final class RefreshableFakeCredentials extends GoogleCredentials {
        private static final long serialVersionUID = 1L;

        RefreshableFakeCredentials() {
            super(fakeToken());
        }

        @Override
        public AccessToken refreshAccessToken() {
            return fakeToken();
        }

        private static AccessToken fakeToken() {
            return new AccessToken("fake", Date.from(Instant.parse("2099-01-01T00:00:00Z")));
        }
    }

    @Override
    public void close() {
        app.delete();
    }
}
