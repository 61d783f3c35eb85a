package nl.omzien.activities;

import java.util.Locale;
import java.util.Optional;

/** What kind of activity this is; a closed list, mirrored by {@code ActivityCategory} in the contract. */
public enum Category {
  OPEN_INLOOP, MAALTIJD, BEWEGEN, CREATIEF, ONTMOETING, CULTUUR, DIGITAAL, OTHER;

  /** The name used in the API and the database, e.g. {@code open_inloop}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Category> fromWire(String value) {
    for (Category category : values()) {
      if (category.wire().equals(value)) {
        return Optional.of(category);
      }
    }
    return Optional.empty();
  }

  static Category parse(String value) {
    return fromWire(value).orElseThrow(() -> new IllegalArgumentException("unknown category " + value));
  }
}
