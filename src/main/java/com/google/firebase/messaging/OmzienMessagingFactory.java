package com.google.firebase.messaging;

import com.google.firebase.FirebaseApp;
import com.google.firebase.ImplFirebaseTrampolines;
import com.google.firebase.internal.ApiClientUtils;
import com.google.firebase.internal.RetryConfig;
import java.util.List;

/**
 * Builds a {@link FirebaseMessaging} whose HTTP requests are <b>not retried by the SDK</b>.
 *
 * <p>Why this lives in the SDK's package: firebase-admin 9.x sends FCM requests through a request factory
 * with a fixed, non-configurable retry policy ({@code ApiClientUtils.DEFAULT_RETRY_CONFIG}: up to 4 retries
 * of HTTP 503 with exponential backoff, honouring Retry-After up to 60 s, sleeping on the calling pool's
 * thread). Omzien's outbox owns retries (with jitter, Retry-After and a durable schedule), so SDK retries
 * would only multiply requests during an FCM outage and hold worker threads for minutes. The builders that
 * accept another request factory are package-private, hence this small bridge. It uses the SDK's own
 * authorized request factory with a retry policy that retries no status code and no I/O error, and
 * allows exactly one re-send: the one google-auth makes after refreshing the access token on a 401.
 * (Passing no policy at all would leave google-http-client's default of 10 re-sends for that 401 loop.)
 * Credentials and timeouts are unchanged. If an SDK upgrade changes these internals the build fails
 * here, loudly.
 */
public final class OmzienMessagingFactory {

    private OmzienMessagingFactory() {
    }

    /** Only the token-refresh re-send after a 401; no status code or I/O error is retried by the SDK. */
    static final RetryConfig NO_RETRIES = RetryConfig.builder()
            .setMaxRetries(1)
            .setRetryStatusCodes(List.of())
            .setRetryOnIOExceptions(false)
            .build();

    /**
     * A messaging client for {@code app} that makes one HTTP request per message (two only when the first
     * got a 401 and the access token was refreshed).
     */
    public static FirebaseMessaging withoutSdkRetries(FirebaseApp app) {
        String projectId = ImplFirebaseTrampolines.getProjectId(app);
        if (projectId == null || projectId.isEmpty()) {
            throw new IllegalArgumentException("FCM needs a project id: use a service-account credential, "
                    + "FirebaseOptions.setProjectId or GOOGLE_CLOUD_PROJECT");
        }
        FirebaseMessagingClientImpl client = FirebaseMessagingClientImpl.builder()
                .setProjectId(projectId)
                .setRequestFactory(ApiClientUtils.newAuthorizedRequestFactory(app, NO_RETRIES))
                .setChildRequestFactory(ApiClientUtils.newUnauthorizedRequestFactory(app))
                .setJsonFactory(app.getOptions().getJsonFactory())
                .build();
        return FirebaseMessaging.builder()
                .setFirebaseApp(app)
                .setMessagingClient(() -> client)
                .setInstanceIdClient(() -> InstanceIdClientImpl.fromApp(app))
                .build();
    }
}
