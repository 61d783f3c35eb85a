package nl.omzien.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.errors.DomainException;

/**
 * An opaque keyset cursor: the sort key (an instant, microseconds) and the id of the last item of a page. Clients
 * pass it back untouched; a tampered cursor is a 422 on the {@code cursor} parameter, never a 500.
 */
public record Cursor(Instant at, UUID id) {

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
