package nl.omzien.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a user id, a client address), in memory. Thread-safe without locks of its own: each
 * key's bucket is replaced atomically by {@link ConcurrentHashMap#compute}, so the HTTP event loops can share
 * one instance. Buckets that have refilled completely carry no information and are dropped by {@link #sweep()};
 * past {@code maxKeys} live keys, new keys are let through untracked rather than growing memory without bound
 * (an attacker with that many addresses is beyond what a per-instance limiter can stop).
 */
public final class TokenBuckets {
  private record Bucket(double tokens, long updatedNanos) {
  }

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final double capacity;
  private final double tokensPerNano;
  private final int maxKeys;
  private final LongSupplier nanoClock;

  /**
   * @param perMinute tokens added per minute (the sustained rate)
   * @param burst     bucket size: how many requests may come at once after a quiet spell
   * @param maxKeys   most keys tracked at once
   * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; tests pass their own)
   */
  public TokenBuckets(int perMinute, int burst, int maxKeys, LongSupplier nanoClock) {
    if (perMinute <= 0 || burst <= 0) {
      throw new IllegalArgumentException("perMinute and burst must be positive");
    }
    this.capacity = burst;
    this.tokensPerNano = perMinute / 60e9;
    this.maxKeys = maxKeys;
    this.nanoClock = nanoClock;
  }

  /**
   * Takes one token for {@code key}.
   *
   * @return 0 when the request may pass, else the whole seconds (at least 1) until a token is available
   */
  public long tryAcquire(String key) {
    long now = nanoClock.getAsLong();
    if (buckets.size() >= maxKeys && !buckets.containsKey(key)) {
      return 0;
    }
    long[] waitSeconds = {0};
    buckets.compute(key, (k, bucket) -> {
      double tokens = bucket == null ? capacity : refilled(bucket, now);
      if (tokens >= 1) {
        return new Bucket(tokens - 1, now);
      }
      waitSeconds[0] = Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9));
      return new Bucket(tokens, now);
    });
    return waitSeconds[0];
  }

  private double refilled(Bucket bucket, long now) {
    return Math.min(capacity, bucket.tokens() + Math.max(0, now - bucket.updatedNanos()) * tokensPerNano);
  }

  /** Drops buckets that are full again (their keys have been quiet long enough); returns how many remain. */
  public int sweep() {
    long now = nanoClock.getAsLong();
    buckets.entrySet().removeIf(entry -> refilled(entry.getValue(), now) >= capacity);
    return buckets.size();
  }

  /** Keys tracked now. */
  public int size() {
    return buckets.size();
  }
}
