package nl.omzien.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.UUID;
import nl.omzien.errors.DomainException;

/**
 * An opaque keyset cursor: the sort key (an instant, microseconds) and the id of the last item of a page. Clients
 * pass it back untouched; a tampered cursor is a 422 on the {@code cursor} parameter, never a 500.
 */
public record Cursor(Instant at, UUID id) {

  /** What a list operation was asked for: at most {@code limit} items after {@code after}. */
  public record Page(int limit, Optional<Cursor> after) {
    /** Rows were fetched with {@code limit + 1}: the first {@code limit} as JSON, and the next page's cursor. */
    public <T> JsonObject toJson(List<T> rows, Function<T, JsonObject> shape, Function<T, Cursor> cursorOf) {
      boolean more = rows.size() > limit;
      List<T> items = more ? rows.subList(0, limit) : rows;
      JsonArray array = new JsonArray();
      items.forEach(item -> array.add(shape.apply(item)));
      return new JsonObject()
          .put("items", array)
          .put("nextCursor", more ? cursorOf.apply(items.get(items.size() - 1)).encode() : null);
    }
  }

  public String encode() {
    long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
  }

  public static Optional<Cursor> decode(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII).split(":", 2);
      long micros = Long.parseLong(parts[0]);
      Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
      return Optional.of(new Cursor(at, UUID.fromString(parts[1])));
    } catch (RuntimeException e) {
      throw new DomainException.Invalid("cursor", "This cursor was not issued by this API.");
    }
  }
}
