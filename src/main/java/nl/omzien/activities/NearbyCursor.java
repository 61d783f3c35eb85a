package nl.omzien.activities;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The opaque cursor of the nearby listing: the sort key of the last item returned (distance in metres, next
 * session start, id) and a fingerprint of the query, so a cursor cannot be replayed against another query.
 * Keyset, not offset: activities added or removed meanwhile neither repeat nor skip the items after it.
 */
record NearbyCursor(double distanceMeters, Instant startsAt, UUID id, String fingerprint) {

  static NearbyCursor after(NearbyActivity last, ActivityQuery query) {
    return new NearbyCursor(last.distanceMeters(), last.next().startsAt().toInstant(), last.activity().id(),
        fingerprint(query));
  }

  String encode() {
    String json = new JsonObject()
        .put("d", distanceMeters)
        .put("s", startsAt.toString())
        .put("i", id.toString())
        .put("q", fingerprint)
        .encode();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor, or empty if it is not one of ours or belongs to another query. */
  static Optional<NearbyCursor> decode(String text, ActivityQuery query) {
    try {
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
      NearbyCursor cursor = new NearbyCursor(json.getDouble("d"), Instant.parse(json.getString("s")),
          UUID.fromString(json.getString("i")), json.getString("q"));
      return cursor.fingerprint.equals(fingerprint(query)) ? Optional.of(cursor) : Optional.empty();
    } catch (IllegalArgumentException | DecodeException | ClassCastException | NullPointerException
             | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** True if {@code item} sorts after this cursor's item in {@link ActivityIndex#ORDER}. */
  boolean isBefore(NearbyActivity item) {
    int byDistance = Double.compare(item.distanceMeters(), distanceMeters);
    if (byDistance != 0) {
      return byDistance > 0;
    }
    int byStart = item.next().startsAt().toInstant().compareTo(startsAt);
    if (byStart != 0) {
      return byStart > 0;
    }
    return item.activity().id().compareTo(id) > 0;
  }

  private static String fingerprint(ActivityQuery query) {
    String canonical = query.lat() + "|" + query.lon() + "|" + query.radiusMeters() + "|" + query.day() + "|"
        + query.from() + "|" + query.to() + "|"
        + query.categories().stream().map(Category::wire).sorted().collect(Collectors.joining(",")) + "|"
        + query.needsWheelchair() + "|" + query.needsHearingLoop();
    return Integer.toHexString(canonical.hashCode());
  }
}
