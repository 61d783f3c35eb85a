package nl.omzien.http;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON value formats shared by all capabilities. */
public final class Json {
  private Json() {
  }

  /** An {@code AreaRef} of the contract: a wijk or buurt code with its name (the code when the name is unknown). */
  public static JsonObject areaRef(String code, String name) {
    return new JsonObject().put("code", code).put("name", name == null ? code : name);
  }

  /** RFC 3339 date-time in UTC, always with seconds (e.g. {@code 2026-12-01T08:15:00Z}). */
  public static String dateTime(OffsetDateTime value) {
    return value == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
