package nl.omzien.activities;

import java.time.LocalDate;
import java.time.ZonedDateTime;

/**
 * One concrete session of an activity.
 *
 * @param date     the local date in Europe/Amsterdam; with the activity id it identifies the session
 * @param startsAt start, in Europe/Amsterdam
 * @param endsAt   end, in Europe/Amsterdam, after {@code startsAt}
 */
public record Occurrence(LocalDate date, ZonedDateTime startsAt, ZonedDateTime endsAt) {
}
