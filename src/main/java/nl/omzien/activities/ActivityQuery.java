package nl.omzien.activities;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Optional;
import java.util.Set;

/**
 * "Activities near this point that fit this time and these needs".
 *
 * @param lat                latitude in degrees (WGS84)
 * @param lon                longitude in degrees (WGS84)
 * @param radiusMeters       inclusive radius in metres
 * @param day                only sessions on this day of the week (Europe/Amsterdam), if present
 * @param from               only sessions starting at or after this local time, if present
 * @param to                 only sessions ending at or before this local time, if present
 * @param categories         only these categories; empty means all
 * @param needsWheelchair    only wheelchair-accessible activities
 * @param needsHearingLoop   only activities with a hearing loop
 */
public record ActivityQuery(double lat, double lon, double radiusMeters, Optional<DayOfWeek> day,
                            Optional<LocalTime> from, Optional<LocalTime> to, Set<Category> categories,
                            boolean needsWheelchair, boolean needsHearingLoop) {

  public ActivityQuery {
    categories = Set.copyOf(categories);
  }

  /** Everything within a radius, at any time. */
  public static ActivityQuery near(double lat, double lon, double radiusMeters) {
    return new ActivityQuery(lat, lon, radiusMeters, Optional.empty(), Optional.empty(), Optional.empty(), Set.of(),
        false, false);
  }

  /** True if the summary's category and accessibility fit (time is checked per session). */
  boolean fitsStatically(ActivitySummary summary) {
    return (categories.isEmpty() || categories.contains(summary.category()))
        && (!needsWheelchair || summary.accessibility().wheelchair())
        && (!needsHearingLoop || summary.accessibility().hearingLoop());
  }

  /** True if a session's local start and end lie inside the time window. */
  boolean fitsTime(Occurrence occurrence) {
    LocalTime start = occurrence.startsAt().toLocalTime();
    LocalTime end = occurrence.endsAt().toLocalTime();
    boolean sameDay = occurrence.endsAt().toLocalDate().equals(occurrence.date());
    return from.map(f -> !start.isBefore(f)).orElse(true)
        && to.map(t -> sameDay && !end.isAfter(t)).orElse(true);
  }
}
