package nl.omzien.db;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Primary keys of rows that are written all the time (requests, offers, pushes, signups): time-ordered UUIDs,
 * version 7 of RFC 9562: 48 bits of Unix milliseconds, then 74 random bits.
 *
 * <p>Why not {@link UUID#randomUUID()}: a random key puts every insert on a random leaf of every B-tree that starts
 * with it (the table's primary key, and the {@code request_id} indexes of offers, windows, history and facts). Once
 * those indexes outgrow shared buffers, each new request touched a dozen cold pages: read back from the OS, written
 * out again, and after every checkpoint copied whole into the WAL (up to 28,000 full-page images in ten seconds of
 * creating; issue #6). A time-ordered key appends to the same few recent leaves, whatever the history kept.
 *
 * <p>The random part comes from a {@link SecureRandom} per thread (no shared lock, as {@code randomUUID()} has): ids
 * are not secrets (every read checks who asks), but neither should one id tell the next. What they do tell is the
 * millisecond the row was made, which every such row shows anyway ({@code createdAt}).
 */
public final class Ids {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

  private Ids() {
  }

  /** A new version-7 UUID for now. */
  public static UUID next() {
    return next(System::currentTimeMillis);
  }

  static UUID next(LongSupplier millis) {
    SecureRandom random = RANDOM.get();
    long high = (millis.getAsLong() << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /** The Unix milliseconds of a version-7 UUID (for tests). */
  static long millis(UUID id) {
    if (id.version() != 7) {
      throw new IllegalArgumentException("not a version-7 UUID: " + id);
    }
    return id.getMostSignificantBits() >>> 16;
  }
}
