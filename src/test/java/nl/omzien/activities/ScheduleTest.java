package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A schedule")
class ScheduleTest {
  private static final Schedule.Weekly TUESDAY_MORNINGS = new Schedule.Weekly(DayOfWeek.TUESDAY, LocalTime.of(10, 0),
      LocalTime.of(11, 30), LocalDate.of(2025, 3, 4), LocalDate.of(2025, 11, 25));

  private static Instant at(String localDateTime) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), Schedule.ZONE).toInstant();
  }

  @Test
  @DisplayName("offers a weekly session until it has ended, then the one a week later")
  void weeklyNext() {
    assertEquals(LocalDate.of(2025, 5, 13), TUESDAY_MORNINGS.nextOccurrence(at("2025-05-13T11:29")).orElseThrow().date());
    assertEquals(LocalDate.of(2025, 5, 20), TUESDAY_MORNINGS.nextOccurrence(at("2025-05-13T11:30")).orElseThrow().date());
    assertEquals(LocalDate.of(2025, 5, 13), TUESDAY_MORNINGS.nextOccurrence(at("2025-05-10T09:00")).orElseThrow().date());
  }

  @Test
  @DisplayName("starts no earlier than the first date and ends with the last date")
  void weeklyBounds() {
    assertEquals(LocalDate.of(2025, 3, 4), TUESDAY_MORNINGS.nextOccurrence(at("2025-01-01T00:00")).orElseThrow().date());
    assertTrue(TUESDAY_MORNINGS.nextOccurrence(at("2025-11-25T12:00")).isEmpty());
    assertTrue(TUESDAY_MORNINGS.occurrenceOn(LocalDate.of(2025, 12, 2)).isEmpty());
    assertTrue(TUESDAY_MORNINGS.occurrenceOn(LocalDate.of(2025, 5, 14)).isEmpty(), "a Wednesday");
  }

  @Test
  @DisplayName("keeps its local wall-clock time across the switch to and from summer time")
  void daylightSaving() {
    var winter = TUESDAY_MORNINGS.occurrenceOn(LocalDate.of(2025, 3, 25)).orElseThrow();
    var summer = TUESDAY_MORNINGS.occurrenceOn(LocalDate.of(2025, 4, 1)).orElseThrow();
    assertEquals(LocalTime.of(10, 0), winter.startsAt().toLocalTime());
    assertEquals(LocalTime.of(10, 0), summer.startsAt().toLocalTime());
    assertEquals("+01:00", winter.startsAt().getOffset().getId());
    assertEquals("+02:00", summer.startsAt().getOffset().getId());
  }

  @Test
  @DisplayName("a one-off's session is on its local date and disappears once it has ended")
  void once() {
    Schedule.Once late = new Schedule.Once(at("2025-06-01T23:00"), at("2025-06-02T00:30"));
    assertEquals(LocalDate.of(2025, 6, 1), late.nextOccurrence(at("2025-06-01T23:30")).orElseThrow().date());
    assertTrue(late.nextOccurrence(at("2025-06-02T00:30")).isEmpty());
    assertEquals(DayOfWeek.SUNDAY, late.occurrenceOn(LocalDate.of(2025, 6, 1)).orElseThrow().date().getDayOfWeek());
    assertTrue(late.nextOccurrenceOn(DayOfWeek.MONDAY, at("2025-06-01T12:00")).isEmpty());
  }
}
