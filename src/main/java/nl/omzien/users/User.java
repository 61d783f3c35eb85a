package nl.omzien.users;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/** A person's own profile as stored. */
public record User(UUID id, String displayName, String language, String phone, List<String> roles,
                   List<String> wijken) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", id.toString())
        .put("displayName", displayName)
        .put("language", language == null ? "nl" : language)
        .put("phone", phone)
        .put("roles", new JsonArray(roles.stream().sorted().toList()))
        .put("wijken", new JsonArray(wijken.stream().sorted().toList()));
  }
}
