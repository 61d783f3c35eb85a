package nl.omzien.activities;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a page of the nearby listing straight to bytes. The listing is the busiest read of the app, and most
 * of each item never changes between requests: everything up to {@code capacity} is fixed per indexed
 * {@link ActivitySummary}, and the next session is the same for every caller until it has passed. Both are
 * encoded once (with {@link JsonObject#encode()}, so the bytes are exactly what {@link ActivityJson#nearby}
 * would give) and reused; per request only the distance is formatted. Building and serialising a
 * {@code JsonObject} tree per item was about 45 % of the listing's CPU.
 * <p>
 * Thread-safe: entries are immutable and replaced whole; a summary that is no longer the indexed one (the
 * activity changed) is recognised by identity and re-encoded.
 */
final class NearbyJson {
  private static final byte[] PAGE_START = ascii("{\"items\":[");
  private static final byte[] DISTANCE = ascii(",\"distanceMeters\":");
  private static final byte[] NEXT = ascii(",\"nextOccurrence\":");
  private static final byte[] PAGE_END = ascii("],\"nextCursor\":");
  private static final byte[] NULL = ascii("null");

  /** The encoded head of one summary and its last encoded session. */
  private record Encoded(ActivitySummary summary, byte[] head, Occurrence next, byte[] nextBytes) {
  }

  private final ConcurrentHashMap<UUID, Encoded> cache = new ConcurrentHashMap<>();
  private final int limit;

  /** @param limit entries kept before the cache is emptied (cancelled activities' entries are dropped so) */
  NearbyJson(int limit) {
    this.limit = limit;
  }

  /** Up to this many tenths {@link #appendTenths} writes digit by digit (1,000 km; radii stop at 10 km). */
  static final long DIGITS_LIMIT = 10_000_000;

  /**
   * Writes {@code tenths / 10.0} as {@code Double.toString} does: {@code 933.1}, {@code 0.0}. Formatting the
   * distance of each item with {@code Double.toString} was 5 % of a listing's CPU; below {@link #DIGITS_LIMIT} a
   * tenth has no shorter decimal than its own digits, so writing them is the same text (NearbyJsonTest compares
   * every value up to the limit), and anything beyond it still goes through {@code Double.toString}.
   */
  static void appendTenths(Buffer out, long tenths) {
    if (tenths < 0 || tenths >= DIGITS_LIMIT) {
      out.appendString(Double.toString(tenths / 10.0));
      return;
    }
    long whole = tenths / 10;
    byte[] digits = new byte[10];
    int at = digits.length;
    digits[--at] = (byte) ('0' + tenths % 10);
    digits[--at] = '.';
    do {
      digits[--at] = (byte) ('0' + whole % 10);
      whole /= 10;
    } while (whole > 0);
    out.appendBytes(digits, at, digits.length - at);
  }

  /**
   * Writes {@code text} as a JSON string, as {@code Json.encode} does. A cursor is base64url, which needs no escape, so
   * it is quoted as it is; {@code Json.encode} of a lone string goes through Jackson's ObjectMapper, whose generator
   * set-up was 6 % of a listing's CPU (an async-profiler run of nearby at max). Anything that might need an escape
   * still goes through {@code Json.encode}.
   */
  static void appendString(Buffer out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        out.appendString(Json.encode(text));
        return;
      }
    }
    out.appendByte((byte) '"').appendString(text, "US-ASCII").appendByte((byte) '"');
  }

  /** The page {@code {"items":[...],"nextCursor":...}}, byte for byte what the JsonObject mapping gives. */
  Buffer page(List<NearbyActivity> items, Optional<String> nextCursor) {
    Encoded[] encodedItems = new Encoded[items.size()];
    int size = 128;
    for (int i = 0; i < encodedItems.length; i++) {
      encodedItems[i] = encoded(items.get(i));
      size += encodedItems[i].head().length + encodedItems[i].nextBytes().length + 64;
    }
    Buffer out = Buffer.buffer(size); // one allocation: growing the buffer copied it several times
    out.appendBytes(PAGE_START);
    for (int i = 0; i < encodedItems.length; i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      Encoded encoded = encodedItems[i];
      out.appendBytes(encoded.head())
          .appendBytes(DISTANCE);
      appendTenths(out, Math.round(items.get(i).distanceMeters() * 10));
      out.appendBytes(NEXT)
          .appendBytes(encoded.nextBytes())
          .appendByte((byte) '}');
    }
    out.appendBytes(PAGE_END);
    if (nextCursor.isPresent()) {
      appendString(out, nextCursor.get());
    } else {
      out.appendBytes(NULL);
    }
    return out.appendByte((byte) '}');
  }

  /** Entries held now (for tests). */
  int size() {
    return cache.size();
  }

  private Encoded encoded(NearbyActivity item) {
    ActivitySummary summary = item.activity();
    Encoded known = cache.get(summary.id());
    if (known != null && known.summary() == summary) {
      // One summary has one session per date (its schedule is part of it), so the date identifies the session.
      if (known.next().date().equals(item.next().date())) {
        return known;
      }
      Encoded moved = new Encoded(summary, known.head(), item.next(), occurrence(item.next()));
      cache.put(summary.id(), moved);
      return moved;
    }
    if (cache.size() >= limit) {
      cache.clear();
    }
    Encoded fresh = new Encoded(summary, head(summary), item.next(), occurrence(item.next()));
    cache.put(summary.id(), fresh);
    return fresh;
  }

  /** The fixed fields, as ActivityJson.nearby writes them, without the closing brace. */
  private static byte[] head(ActivitySummary summary) {
    JsonObject fixed = ActivityJson.nearbyFixed(summary);
    byte[] bytes = fixed.encode().getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.copyOf(bytes, bytes.length - 1);
  }

  private static byte[] occurrence(Occurrence next) {
    return ActivityJson.occurrence(next).encode().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
