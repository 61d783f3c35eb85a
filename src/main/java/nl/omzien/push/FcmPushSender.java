package nl.omzien.push;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.ErrorCode;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.IncomingHttpResponse;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.ApnsConfig;
import com.google.firebase.messaging.Aps;
import com.google.firebase.messaging.BatchResponse;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.MessagingErrorCode;
import com.google.firebase.messaging.Notification;
import com.google.firebase.messaging.OmzienMessagingFactory;
import com.google.firebase.messaging.SendResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pushes through Firebase Cloud Messaging (HTTP v1) with firebase-admin's
 * {@link FirebaseMessaging#sendEach(List)}, in provider batches of at most {@value #MAX_BATCH}.
 *
 * <p>Blocking; call it on a bounded worker executor. It makes exactly one HTTP request per message: the
 * SDK's own retries of HTTP 503 are switched off (see {@link OmzienMessagingFactory}) because the outbox
 * owns retries. Errors are mapped per message:
 * <ul>
 *   <li>{@code UNREGISTERED}, {@code SENDER_ID_MISMATCH}: {@code TOKEN_INVALID};</li>
 *   <li>{@code INVALID_ARGUMENT}: {@code TOKEN_INVALID} only when FCM says the registration token is the
 *       invalid part (its message names the registration token or a field violation names
 *       {@code message.token}); otherwise {@code FAILED}, because the payload is at fault and deleting a
 *       good token would silence a user for good;</li>
 *   <li>HTTP 429/500/503, {@code QUOTA_EXCEEDED}, {@code UNAVAILABLE}, {@code INTERNAL}, deadline and
 *       network errors: {@code RETRY}, with the Retry-After of the response when it has one;</li>
 *   <li>HTTP 401/403 without a token error code (our credentials or project set-up, not the message):
 *       {@code RETRY}, so nothing is lost while operations fixes the configuration;</li>
 *   <li>anything else (e.g. {@code THIRD_PARTY_AUTH_ERROR}): {@code FAILED}.</li>
 * </ul>
 *
 * <p>Message shape: token, data payload, notification title/body; Android priority HIGH when urgent and
 * NORMAL otherwise, TTL of the kind, notification tag = messageId (a duplicate replaces instead of
 * stacking) and channel {@value #CHANNEL_URGENT} or {@value #CHANNEL_DEFAULT}; no Android collapse key
 * (FCM keeps at most four distinct collapse keys per device, and our messages do not supersede each
 * other). APNs: {@code apns-priority} 10/5, {@code apns-push-type: alert}, {@code apns-collapse-id} =
 * messageId, {@code apns-expiration} = now + TTL, aps thread-id = kind, sound only when urgent.
 */
public final class FcmPushSender implements PushSender {

    /** The most messages firebase-admin accepts in one sendEach call. */
    public static final int MAX_BATCH = 500;
    /** Android notification channel for urgent pushes (the app creates it). */
    public static final String CHANNEL_URGENT = "omzien_urgent";
    /** Android notification channel for all other pushes (the app creates it). */
    public static final String CHANNEL_DEFAULT = "omzien_default";
    /** Name of the FirebaseApp created by {@link #fromEnvironment()}. */
    public static final String APP_NAME = "omzien-push";

    private static final Logger LOG = LoggerFactory.getLogger(FcmPushSender.class);
    private static final Pattern TOKEN_FIELD = Pattern.compile("\"field\"\\s*:\\s*\"message\\.token\"");

    private final FirebaseMessaging messaging;
    private final Clock clock;

    /** A sender for a FirebaseApp (tests pass one built with a MockHttpTransport). */
    public FcmPushSender(FirebaseApp app) {
        this(app, Clock.systemUTC());
    }

    /** A sender for a FirebaseApp, with the clock used for APNs expiry times. */
    public FcmPushSender(FirebaseApp app, Clock clock) {
        this.messaging = OmzienMessagingFactory.withoutSdkRetries(app);
        this.clock = clock;
    }

    /**
     * A sender from the environment: when {@code GOOGLE_APPLICATION_CREDENTIALS} is set, a FirebaseApp
     * named {@value #APP_NAME} with the application-default credentials (reused when it already exists)
     * sending on an {@link FcmThreadManager} of {@code OMZIEN_FCM_THREADS} threads (default
     * {@value FcmThreadManager#DEFAULT_THREADS}); otherwise empty, and the caller falls back to
     * {@link DryRunPushSender}. The project id comes from the service-account file or
     * {@code GOOGLE_CLOUD_PROJECT}.
     *
     * @throws UncheckedIOException when the variable is set but the credentials cannot be read
     */
    public static Optional<FcmPushSender> fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static Optional<FcmPushSender> fromEnvironment(Map<String, String> env) {
        String path = env.get("GOOGLE_APPLICATION_CREDENTIALS");
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new FcmPushSender(namedApp(threads(env))));
    }

    static int threads(Map<String, String> env) {
        String value = env.get("OMZIEN_FCM_THREADS");
        if (value == null || value.isBlank()) {
            return FcmThreadManager.DEFAULT_THREADS;
        }
        int threads = Integer.parseInt(value.trim());
        if (threads < 1) {
            throw new IllegalArgumentException("OMZIEN_FCM_THREADS must be >= 1");
        }
        return threads;
    }

    private static synchronized FirebaseApp namedApp(int threads) {
        for (FirebaseApp app : FirebaseApp.getApps()) {
            if (APP_NAME.equals(app.getName())) {
                return app;
            }
        }
        try {
            FirebaseOptions options = FirebaseOptions.builder()
                    .setCredentials(GoogleCredentials.getApplicationDefault())
                    .setThreadManager(new FcmThreadManager(threads))
                    .build();
            return FirebaseApp.initializeApp(options, APP_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException("GOOGLE_APPLICATION_CREDENTIALS is set but unreadable", e);
        }
    }

    @Override
    public List<SendResult> send(List<PushMessage> batch) {
        List<SendResult> results = new ArrayList<>(batch.size());
        for (int from = 0; from < batch.size(); from += MAX_BATCH) {
            results.addAll(sendChunk(batch.subList(from, Math.min(batch.size(), from + MAX_BATCH))));
        }
        return results;
    }

    private List<SendResult> sendChunk(List<PushMessage> chunk) {
        SendResult[] results = new SendResult[chunk.size()];
        List<Message> messages = new ArrayList<>(chunk.size());
        List<Integer> positions = new ArrayList<>(chunk.size());
        Instant now = clock.instant();
        for (int i = 0; i < chunk.size(); i++) {
            PushMessage m = chunk.get(i);
            try {
                messages.add(toFcmMessage(m, now));
                positions.add(i);
            } catch (IllegalArgumentException e) {
                results[i] = SendResult.failed(m.messageId(), "rejected before sending: " + e.getMessage());
            }
        }
        if (!messages.isEmpty()) {
            List<SendResult> sent = sendEach(chunk, positions, messages);
            for (int j = 0; j < positions.size(); j++) {
                results[positions.get(j)] = sent.get(j);
            }
        }
        return Arrays.asList(results);
    }

    private List<SendResult> sendEach(List<PushMessage> chunk, List<Integer> positions, List<Message> messages) {
        List<SendResult> out = new ArrayList<>(messages.size());
        try {
            BatchResponse response = messaging.sendEach(messages);
            List<SendResponse> responses = response.getResponses();
            for (int j = 0; j < responses.size(); j++) {
                out.add(toResult(chunk.get(positions.get(j)), responses.get(j)));
            }
        } catch (FirebaseMessagingException | RuntimeException e) {
            // sendEach reports per-message FCM errors in its responses; it throws only when a send failed
            // outside FCM's answer (e.g. credentials that cannot be refreshed). Some messages may have gone
            // out: retry all of them; the app drops the duplicates by messageId.
            LOG.warn("push sendEach failed as a whole; {} messages will be retried", positions.size(), e);
            for (Integer pos : positions) {
                out.add(SendResult.retry(chunk.get(pos).messageId(), null, "sendEach failed: " + e));
            }
        }
        return out;
    }

    private SendResult toResult(PushMessage m, SendResponse r) {
        if (r.isSuccessful()) {
            return SendResult.sent(m.messageId(), r.getMessageId());
        }
        return classify(m, r.getException());
    }

    private SendResult classify(PushMessage m, FirebaseMessagingException e) {
        SendResult result = classify(m.messageId(), e, clock);
        if (result.outcome() != SendResult.Outcome.RETRY) {
            LOG.info("push kind={} messageId={} outcome={} reason={}", m.kind().wireName(), m.messageId(),
                    result.outcome(), result.error());
        }
        return result;
    }

    /** Maps an FCM error to an outcome; see the class comment for the rules. */
    static SendResult classify(java.util.UUID messageId, FirebaseMessagingException e, Clock clock) {
        IncomingHttpResponse http = e.getHttpResponse();
        int status = http == null ? -1 : http.getStatusCode();
        MessagingErrorCode fcmCode = e.getMessagingErrorCode();
        ErrorCode code = e.getErrorCode();
        String reason = (fcmCode != null ? fcmCode + " " : "") + code + (status > 0 ? " HTTP " + status : "");
        if (fcmCode == MessagingErrorCode.UNREGISTERED || fcmCode == MessagingErrorCode.SENDER_ID_MISMATCH) {
            return SendResult.tokenInvalid(messageId, reason);
        }
        if (fcmCode == MessagingErrorCode.INVALID_ARGUMENT || code == ErrorCode.INVALID_ARGUMENT) {
            return isAboutToken(e) ? SendResult.tokenInvalid(messageId, reason + " (registration token)")
                    : SendResult.failed(messageId, reason);
        }
        if (isRetryable(fcmCode, code, status, http)) {
            return SendResult.retry(messageId, retryAfter(http, clock), reason);
        }
        return SendResult.failed(messageId, reason);
    }

    private static boolean isRetryable(MessagingErrorCode fcmCode, ErrorCode code, int status, IncomingHttpResponse http) {
        if (fcmCode == MessagingErrorCode.QUOTA_EXCEEDED || fcmCode == MessagingErrorCode.UNAVAILABLE
                || fcmCode == MessagingErrorCode.INTERNAL) {
            return true;
        }
        if (status == 429 || status == 500 || status == 503 || status == 401 || status == 403) {
            return fcmCode != MessagingErrorCode.THIRD_PARTY_AUTH_ERROR;
        }
        return switch (code) {
            case RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, ABORTED, UNAUTHENTICATED -> true;
            // No HTTP response at all: the request never got an answer (connection reset, timeout).
            case UNKNOWN -> http == null;
            default -> false;
        };
    }

    private static boolean isAboutToken(FirebaseMessagingException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("registration token")) {
            return true;
        }
        IncomingHttpResponse http = e.getHttpResponse();
        String content = http == null ? null : http.getContent();
        return content != null && (TOKEN_FIELD.matcher(content).find()
                || content.toLowerCase(Locale.ROOT).contains("registration token"));
    }

    /** The Retry-After of a response (delta seconds or HTTP date), or null when absent or unreadable. */
    static Duration retryAfter(IncomingHttpResponse http, Clock clock) {
        if (http == null || http.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, Object> header : http.getHeaders().entrySet()) {
            if ("retry-after".equalsIgnoreCase(header.getKey())) {
                return parseRetryAfter(firstValue(header.getValue()), clock);
            }
        }
        return null;
    }

    static Duration parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static String firstValue(Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : String.valueOf(list.get(0));
        }
        return value == null ? null : String.valueOf(value);
    }

    /**
     * The firebase-admin message for a push; {@code now} sets the APNs expiry.
     *
     * <p>{@code setToken} is deprecated in firebase-admin 9.11 in favour of {@code setFid} (Firebase
     * installation ids). The app registers FCM registration tokens today, and Firebase advises against
     * mixing the two registration APIs on one device, so the switch to {@code setFid} is made together
     * with the app team (see mobile-contracts/README.md).
     */
    @SuppressWarnings("deprecation")
    static Message toFcmMessage(PushMessage m, Instant now) {
        String id = m.messageId().toString();
        Duration ttl = m.kind().ttl();
        AndroidConfig android = AndroidConfig.builder()
                .setPriority(m.urgent() ? AndroidConfig.Priority.HIGH : AndroidConfig.Priority.NORMAL)
                .setTtl(ttl.toMillis())
                .setNotification(AndroidNotification.builder()
                        .setTag(id)
                        .setChannelId(m.urgent() ? CHANNEL_URGENT : CHANNEL_DEFAULT)
                        .build())
                .build();
        Aps.Builder aps = Aps.builder().setThreadId(m.kind().wireName());
        if (m.urgent()) {
            aps.setSound("default");
        }
        ApnsConfig apns = ApnsConfig.builder()
                .putHeader("apns-priority", m.urgent() ? "10" : "5")
                .putHeader("apns-push-type", "alert")
                .putHeader("apns-collapse-id", id)
                .putHeader("apns-expiration", Long.toString(now.plus(ttl).getEpochSecond()))
                .setAps(aps.build())
                .build();
        return Message.builder()
                .setToken(m.token())
                .putAllData(m.data())
                .setNotification(Notification.builder().setTitle(m.title()).setBody(m.body()).build())
                .setAndroidConfig(android)
                .setApnsConfig(apns)
                .build();
    }
}
