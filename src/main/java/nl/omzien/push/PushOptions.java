package nl.omzien.push;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code Omzien} sets up push delivery. {@link #fromEnvironment()} is what {@code Main} uses; tests and
 * benchmarks pass their own sender (an {@link FcmPushSender} on a mock transport), clock and config.
 *
 * @param sender      the sender to use; empty: {@link FcmPushSender#fromEnvironment()} when
 *                    {@code GOOGLE_APPLICATION_CREDENTIALS} is set, else {@link DryRunPushSender}
 * @param clock       time for due dates, quiet hours, leases and backoff
 * @param config      outbox and worker settings
 */
public record PushOptions(Optional<PushSender> sender, Clock clock, PushConfig config) {

    /** Sender chosen from the environment, the system clock, {@link PushConfig#from} the environment. */
    public static PushOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static PushOptions fromEnvironment(Map<String, String> env) {
        return new PushOptions(Optional.empty(), Clock.systemUTC(), PushConfig.from(env));
    }

    /** Given sender, clock and config. */
    public static PushOptions of(PushSender sender, Clock clock, PushConfig config) {
        return new PushOptions(Optional.of(sender), clock, config);
    }
}
