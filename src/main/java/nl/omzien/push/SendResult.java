package nl.omzien.push;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * What happened to one {@link PushMessage}.
 *
 * @param messageId  the message this result is for
 * @param outcome    what the caller should do next
 * @param fcmName    for {@link Outcome#SENT}: the name FCM gave the message
 *                   ({@code projects/P/messages/ID}), otherwise null
 * @param retryAfter for {@link Outcome#RETRY}: the wait the server asked for (Retry-After), or null when
 *                   it asked for none; use {@link Backoff#next} to choose the actual delay
 * @param error      for failures: a short reason (error code and status, never the token), otherwise null
 */
public record SendResult(UUID messageId, Outcome outcome, String fcmName, Duration retryAfter, String error) {

    /** What the outbox should do with the message. */
    public enum Outcome {
        /** Accepted by FCM; mark the outbox row done. */
        SENT,
        /** Temporary failure (429, 500, 503, network): try again later. */
        RETRY,
        /** The registration token is dead or not ours: drop the message and forget the token. */
        TOKEN_INVALID,
        /** Permanent failure of this message (e.g. a payload FCM rejects): do not retry. */
        FAILED
    }

    public SendResult {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(outcome, "outcome");
    }

    public static SendResult sent(UUID messageId, String fcmName) {
        return new SendResult(messageId, Outcome.SENT, fcmName, null, null);
    }

    public static SendResult retry(UUID messageId, Duration retryAfter, String error) {
        return new SendResult(messageId, Outcome.RETRY, null, retryAfter, error);
    }

    public static SendResult tokenInvalid(UUID messageId, String error) {
        return new SendResult(messageId, Outcome.TOKEN_INVALID, null, null, error);
    }

    public static SendResult failed(UUID messageId, String error) {
        return new SendResult(messageId, Outcome.FAILED, null, null, error);
    }
}
