package nl.omzien.reports;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * What a caller asks figures for, already checked against their scope.
 *
 * @param from   first day, inclusive (Europe/Amsterdam)
 * @param to     last day, inclusive (Europe/Amsterdam)
 * @param kind   {@code transport}, {@code companionship} or {@code respite}; empty = all kinds
 * @param wijken CBS wijk codes to report on, sorted, at least one
 * @param today  the current day in Europe/Amsterdam (activity sessions after it were not held yet)
 * @param now    the current instant (waiting times, the sign-up window that must have closed)
 */
public record FiguresQuery(LocalDate from, LocalDate to, Optional<String> kind, List<String> wijken, LocalDate today,
                           Instant now) {
  /** Dates are Dutch calendar days. */
  public static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");

  public FiguresQuery {
    wijken = List.copyOf(wijken);
  }

  /** Start of {@link #from} (inclusive). */
  public Instant start() {
    return from.atStartOfDay(ZONE).toInstant();
  }

  /** Start of the day after {@link #to} (exclusive). */
  public Instant end() {
    return to.plusDays(1).atStartOfDay(ZONE).toInstant();
  }

  /** Last day whose activity sessions count as held: {@link #to}, but never after today. */
  public LocalDate heldUntil() {
    return to.isAfter(today) ? today : to;
  }

  /** True when figures about companionship (continuity, follow-up sign-ups) apply to this kind filter. */
  public boolean includesCompanionship() {
    return kind.isEmpty() || kind.get().equals("companionship");
  }
}
