package nl.omzien.push;

import nl.omzien.config.ConfigException;
import nl.omzien.config.OmzienConfig;

import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;

/**
 * How the outbox and its worker behave. Read once from environment variables; tests build their own.
 *
 * @param pollInterval  how often the worker looks for due messages ({@code OMZIEN_PUSH_POLL_MS}, default
 *                      1000 ms); zero disables the timer (tests then call {@link PushWorker#drain()})
 * @param batchSize     rows claimed per batch ({@code OMZIEN_PUSH_BATCH}, default 500)
 * @param concurrency   batches in flight at once ({@code OMZIEN_PUSH_CONCURRENCY}, default 4)
 * @param maxAttempts   tries before a message becomes a dead letter ({@code OMZIEN_PUSH_MAX_ATTEMPTS}, default 8)
 * @param lease         how long a claim holds a row in 'sending' before another worker may take it
 *                      ({@code OMZIEN_PUSH_LEASE_SECONDS}, default 120 s)
 * @param offerCap      at most this many offer_made pushes per volunteer per rolling 24 h
 *                      ({@code OMZIEN_PUSH_OFFER_CAP}, default 6); the rest are suppressed
 * @param quietStart    start of quiet hours, Europe/Amsterdam ({@code OMZIEN_PUSH_QUIET_START}, default 22:00)
 * @param quietEnd      end of quiet hours, Europe/Amsterdam ({@code OMZIEN_PUSH_QUIET_END}, default 08:00)
 * @param handoff       whether pushes due at once are written already claimed by this instance and handed to its
 *                      worker when their transaction commits, instead of waiting for the next poll
 *                      ({@code OMZIEN_PUSH_HANDOFF}, default true; the poll still sends whatever a handoff missed)
 */
public record PushConfig(Duration pollInterval, int batchSize, int concurrency, int maxAttempts, Duration lease,
                         int offerCap, LocalTime quietStart, LocalTime quietEnd, boolean handoff) {

    public PushConfig {
        if (batchSize < 1 || concurrency < 1 || maxAttempts < 1 || offerCap < 0) {
            throw new IllegalArgumentException("push batch, concurrency and attempts must be >= 1, cap >= 0");
        }
        if (pollInterval.isNegative() || lease.isZero() || lease.isNegative()) {
            throw new IllegalArgumentException("push poll interval must be >= 0 and lease > 0");
        }
    }

    /** The defaults listed above. */
    public static PushConfig defaults() {
        return new PushConfig(Duration.ofSeconds(1), 500, 4, 8, Duration.ofMinutes(2), 6,
                LocalTime.of(22, 0), LocalTime.of(8, 0), true);
    }

    /** The defaults overridden by the variables listed above. */
    public static PushConfig from(Map<String, String> env) {
        PushConfig d = defaults();
        return new PushConfig(
                Duration.ofMillis(number(env, "OMZIEN_PUSH_POLL_MS", d.pollInterval.toMillis())),
                (int) number(env, "OMZIEN_PUSH_BATCH", d.batchSize),
                (int) number(env, "OMZIEN_PUSH_CONCURRENCY", d.concurrency),
                (int) number(env, "OMZIEN_PUSH_MAX_ATTEMPTS", d.maxAttempts),
                Duration.ofSeconds(number(env, "OMZIEN_PUSH_LEASE_SECONDS", d.lease.toSeconds())),
                (int) number(env, "OMZIEN_PUSH_OFFER_CAP", d.offerCap),
                time(env, "OMZIEN_PUSH_QUIET_START", d.quietStart),
                time(env, "OMZIEN_PUSH_QUIET_END", d.quietEnd),
                OmzienConfig.bool(env, "OMZIEN_PUSH_HANDOFF", d.handoff));
    }

    public PushConfig withPollInterval(Duration interval) {
        return new PushConfig(interval, batchSize, concurrency, maxAttempts, lease, offerCap, quietStart, quietEnd,
                handoff);
    }

    public PushConfig withMaxAttempts(int attempts) {
        return new PushConfig(pollInterval, batchSize, concurrency, attempts, lease, offerCap, quietStart, quietEnd,
                handoff);
    }

    public PushConfig withHandoff(boolean on) {
        return new PushConfig(pollInterval, batchSize, concurrency, maxAttempts, lease, offerCap, quietStart, quietEnd,
                on);
    }

    public PushConfig withOfferCap(int cap) {
        return new PushConfig(pollInterval, batchSize, concurrency, maxAttempts, lease, cap, quietStart, quietEnd,
                handoff);
    }

    /** Quiet hours as configured. */
    public QuietHours quietHours() {
        return new QuietHours(quietStart, quietEnd);
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long number = Long.parseLong(value.trim());
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number of at least 1, got '" + value + "'");
        }
    }

    private static LocalTime time(Map<String, String> env, String name, LocalTime fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalTime.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(name + " must be a time of day like 22:00, got '" + value + "'");
        }
    }
}
