package nl.omzien.activities;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * When an activity takes place: once, or weekly between two dates. Local times are in
 * {@link #ZONE Europe/Amsterdam}; a weekly session keeps its wall-clock time across daylight-saving changes.
 */
public sealed interface Schedule permits Schedule.Once, Schedule.Weekly {
  /** The time zone of every local date and time of an activity. */
  ZoneId ZONE = ZoneId.of("Europe/Amsterdam");

  /** The first session that has not ended at {@code now}, if any. */
  Optional<Occurrence> nextOccurrence(Instant now);

  /** The session on this local date, if there is one. */
  Optional<Occurrence> occurrenceOn(LocalDate date);

  /** The first session not ended at {@code now} that falls on {@code day} (Europe/Amsterdam), if any. */
  Optional<Occurrence> nextOccurrenceOn(DayOfWeek day, Instant now);

  /**
   * A one-off activity.
   *
   * @param startsAt start instant
   * @param endsAt   end instant, after the start
   */
  record Once(Instant startsAt, Instant endsAt) implements Schedule {
    Occurrence occurrence() {
      ZonedDateTime start = startsAt.atZone(ZONE);
      return new Occurrence(start.toLocalDate(), start, endsAt.atZone(ZONE));
    }

    @Override
    public Optional<Occurrence> nextOccurrence(Instant now) {
      return endsAt.isAfter(now) ? Optional.of(occurrence()) : Optional.empty();
    }

    @Override
    public Optional<Occurrence> occurrenceOn(LocalDate date) {
      Occurrence only = occurrence();
      return only.date().equals(date) ? Optional.of(only) : Optional.empty();
    }

    @Override
    public Optional<Occurrence> nextOccurrenceOn(DayOfWeek day, Instant now) {
      return nextOccurrence(now).filter(o -> o.date().getDayOfWeek() == day);
    }
  }

  /**
   * A weekly activity.
   *
   * @param day       the day of the week it takes place
   * @param startTime local start time (Europe/Amsterdam)
   * @param endTime   local end time, after the start on the same day
   * @param firstDate first date it may take place (inclusive)
   * @param lastDate  last date it may take place (inclusive)
   */
  record Weekly(DayOfWeek day, LocalTime startTime, LocalTime endTime, LocalDate firstDate, LocalDate lastDate)
      implements Schedule {

    Occurrence on(LocalDate date) {
      return new Occurrence(date, ZonedDateTime.of(date, startTime, ZONE), ZonedDateTime.of(date, endTime, ZONE));
    }

    @Override
    public Optional<Occurrence> nextOccurrence(Instant now) {
      LocalDate today = now.atZone(ZONE).toLocalDate();
      LocalDate from = today.isAfter(firstDate) ? today : firstDate;
      for (LocalDate date = from.with(TemporalAdjusters.nextOrSame(day)); !date.isAfter(lastDate);
           date = date.plusWeeks(1)) {
        Occurrence occurrence = on(date);
        if (occurrence.endsAt().toInstant().isAfter(now)) {
          return Optional.of(occurrence);
        }
      }
      return Optional.empty();
    }

    @Override
    public Optional<Occurrence> occurrenceOn(LocalDate date) {
      boolean valid = date.getDayOfWeek() == day && !date.isBefore(firstDate) && !date.isAfter(lastDate);
      return valid ? Optional.of(on(date)) : Optional.empty();
    }

    @Override
    public Optional<Occurrence> nextOccurrenceOn(DayOfWeek wanted, Instant now) {
      return wanted == day ? nextOccurrence(now) : Optional.empty();
    }
  }
}
