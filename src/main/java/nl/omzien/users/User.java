package nl.omzien.users;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.LocalTime;
import java.util.List;
import java.util.UUID;
import nl.omzien.push.QuietHours;

/** A person's own profile as stored. */
public record User(UUID id, String displayName, String language, String phone, List<String> roles,
                   List<String> wijken, QuietHours quietHours, boolean quietHoursCustom) {

  /** The columns {@link #from} reads from {@code app_user}. */
  public static final String COLUMNS = "id, display_name, language, phone, roles, wijken, quiet_start, quiet_end";

  /** A row with {@link #COLUMNS}; {@code defaults} are the quiet hours of someone who chose none. */
  public static User from(Row row, QuietHours defaults) {
    LocalTime start = row.getLocalTime("quiet_start");
    LocalTime end = row.getLocalTime("quiet_end");
    return new User(row.getUUID("id"), row.getString("display_name"), row.getString("language"),
        row.getString("phone"), List.of(row.getArrayOfStrings("roles")), List.of(row.getArrayOfStrings("wijken")),
        QuietHours.orDefault(start, end, defaults), start != null && end != null);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", id.toString())
        .put("displayName", displayName)
        .put("language", language == null ? "nl" : language)
        .put("phone", phone)
        .put("roles", new JsonArray(roles.stream().sorted().toList()))
        .put("wijken", new JsonArray(wijken.stream().sorted().toList()))
        .put("quietHours", quietHours.toJson(quietHoursCustom));
  }
}
