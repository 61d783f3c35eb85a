package nl.omzien.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The authenticated caller, whichever issuer vouched for them.
 *
 * @param userId Omzien's user id
 * @param roles  the roles this person holds
 * @param wijken CBS wijk codes (e.g. {@code WK034403}) an ambassador looks after; empty for other roles
 * @param issuer {@code local} (demo/test tokens) or {@code firebase}
 */
public record Principal(UUID userId, Set<Role> roles, Set<String> wijken, String issuer) {

  public Principal {
    roles = Set.copyOf(roles);
    wijken = Set.copyOf(wijken);
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  public boolean hasAny(Set<Role> wanted) {
    return wanted.stream().anyMatch(roles::contains);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", userId.toString())
        .put("roles", new JsonArray(roles.stream().map(Role::wire).sorted().collect(Collectors.toList())))
        .put("wijken", new JsonArray(wijken.stream().sorted().collect(Collectors.toList())));
  }
}
