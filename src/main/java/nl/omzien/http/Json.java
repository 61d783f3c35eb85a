package nl.omzien.http;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON value formats shared by all capabilities. */
public final class Json {
  private Json() {
  }

  /** RFC 3339 date-time in UTC, always with seconds (e.g. {@code 2026-12-01T08:15:00Z}). */
  public static String dateTime(OffsetDateTime value) {
    return value == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
