package nl.omzien.push;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter for push retries: the delay before attempt {@code n} is uniform in
 * {@code [0, min(CAP, BASE * 2^(n-1))]}, and the server's Retry-After wins when it is larger.
 * Pure: the randomness comes from the caller.
 */
public final class Backoff {

    /** Ceiling of the first retry's delay. */
    public static final Duration BASE = Duration.ofSeconds(2);
    /** Growth of the ceiling per attempt. */
    public static final int FACTOR = 2;
    /** Largest ceiling, whatever the attempt. */
    public static final Duration CAP = Duration.ofMinutes(15);

    private Backoff() {
    }

    /**
     * The delay before the next try.
     *
     * @param attempt          1 for the first retry, 2 for the second, ...; values below 1 count as 1
     * @param retryAfterOrNull what the server asked for, or null; negative values are ignored
     * @param rnd              source of the jitter
     * @return a delay in {@code [0, CAP]}, or {@code retryAfterOrNull} when that is larger
     */
    public static Duration next(int attempt, Duration retryAfterOrNull, RandomGenerator rnd) {
        long ceilingMillis = ceiling(attempt).toMillis();
        Duration jittered = Duration.ofMillis(rnd.nextLong(ceilingMillis + 1));
        if (retryAfterOrNull != null && retryAfterOrNull.compareTo(jittered) > 0) {
            return retryAfterOrNull;
        }
        return jittered;
    }

    /** The upper bound of the jittered delay for an attempt: {@code min(CAP, BASE * FACTOR^(attempt-1))}. */
    public static Duration ceiling(int attempt) {
        int exponent = Math.max(0, attempt - 1);
        long capMillis = CAP.toMillis();
        long millis = BASE.toMillis();
        for (int i = 0; i < exponent && millis < capMillis; i++) {
            millis *= FACTOR;
        }
        return Duration.ofMillis(Math.min(millis, capMillis));
    }
}
