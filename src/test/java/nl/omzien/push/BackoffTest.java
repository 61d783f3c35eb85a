package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backoff")
class BackoffTest {

    /** A generator that always returns the largest allowed value, to hit the upper bound exactly. */
    private static final RandomGenerator MAX = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    /** A generator that always returns zero. */
    private static final RandomGenerator ZERO = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    };

    @Test
    @DisplayName("the ceiling starts at 2 s, doubles per attempt and stops at 15 min")
    void ceilingGrowsAndCaps() {
        assertEquals(Duration.ofSeconds(2), Backoff.ceiling(1));
        assertEquals(Duration.ofSeconds(4), Backoff.ceiling(2));
        assertEquals(Duration.ofSeconds(8), Backoff.ceiling(3));
        assertEquals(Duration.ofSeconds(512), Backoff.ceiling(9));
        assertEquals(Duration.ofMinutes(15), Backoff.ceiling(10));
        assertEquals(Duration.ofMinutes(15), Backoff.ceiling(1_000_000));
        assertEquals(Duration.ofSeconds(2), Backoff.ceiling(0));
        assertEquals(Duration.ofSeconds(2), Backoff.ceiling(-3));
    }

    @Test
    @DisplayName("full jitter: every delay lies in [0, ceiling], and both ends are reachable")
    void jitterWithinBounds() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int attempt = 1; attempt <= 40; attempt++) {
            Duration ceiling = Backoff.ceiling(attempt);
            for (int i = 0; i < 1000; i++) {
                Duration d = Backoff.next(attempt, null, rnd);
                assertTrue(!d.isNegative() && d.compareTo(ceiling) <= 0, attempt + ": " + d);
            }
            assertEquals(ceiling, Backoff.next(attempt, null, MAX));
            assertEquals(Duration.ZERO, Backoff.next(attempt, null, ZERO));
        }
    }

    @Test
    @DisplayName("jitter spreads: the mean of many draws is near half the ceiling")
    void jitterSpreads() {
        SplittableRandom rnd = new SplittableRandom(7);
        long sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            sum += Backoff.next(4, null, rnd).toMillis();
        }
        double mean = (double) sum / n;
        assertTrue(Math.abs(mean - 8_000) < 200, "mean " + mean);
    }

    @Test
    @DisplayName("Retry-After wins when it is larger than the jittered delay, and only then")
    void retryAfterWins() {
        assertEquals(Duration.ofSeconds(30), Backoff.next(1, Duration.ofSeconds(30), MAX));
        assertEquals(Duration.ofHours(2), Backoff.next(50, Duration.ofHours(2), MAX));
        assertEquals(Duration.ofSeconds(8), Backoff.next(3, Duration.ofSeconds(1), MAX));
        assertEquals(Duration.ofSeconds(1), Backoff.next(3, Duration.ofSeconds(1), ZERO));
        assertEquals(Duration.ZERO, Backoff.next(3, Duration.ofSeconds(-5), ZERO));
    }
}
