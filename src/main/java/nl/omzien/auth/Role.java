package nl.omzien.auth;

import java.util.Locale;
import java.util.Optional;

/** What a person may do in Omzien; one person may hold several roles (an older resident who also volunteers). */
public enum Role {
  RESIDENT, VOLUNTEER, ORGANISER, AMBASSADOR, ADMIN;

  /** The name used in tokens, the API and the database. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWire(String value) {
    for (Role role : values()) {
      if (role.wire().equals(value)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
