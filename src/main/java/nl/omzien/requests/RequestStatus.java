package nl.omzien.requests;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The lifecycle of a hulpvraag: {@code open -> offered -> matched -> completed}, or {@code cancelled},
 * {@code expired}, {@code escalated} (to the wijk's ambassador), or {@code referred} (sent on to the buurtteam,
 * professional care, by an ambassador). Only the transitions listed here are legal;
 * the store enforces them with a conditional UPDATE, so concurrent changes cannot skip a rule.
 */
public enum RequestStatus {
  OPEN, OFFERED, MATCHED, COMPLETED, CANCELLED, EXPIRED, ESCALATED, REFERRED;

  /** The statuses from which {@code target} may be reached. */
  public static Set<RequestStatus> allowedFrom(RequestStatus target) {
    return switch (target) {
      case OPEN -> EnumSet.of(OFFERED, MATCHED, ESCALATED);   // declined / re-matching, back from the ambassador
      case OFFERED -> EnumSet.of(OPEN, ESCALATED);
      case MATCHED -> EnumSet.of(OPEN, OFFERED, ESCALATED);   // accepted, or assigned by hand
      case COMPLETED -> EnumSet.of(MATCHED);
      case CANCELLED -> EnumSet.of(OPEN, OFFERED, MATCHED, ESCALATED);
      case EXPIRED -> EnumSet.of(OPEN, OFFERED, ESCALATED);
      case ESCALATED -> EnumSet.of(OPEN, OFFERED);
      case REFERRED -> EnumSet.of(OPEN, OFFERED, MATCHED, ESCALATED);
    };
  }

  public boolean isFinal() {
    return this == COMPLETED || this == CANCELLED || this == EXPIRED || this == REFERRED;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RequestStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
