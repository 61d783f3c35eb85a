package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Quiet hours")
class QuietHoursTest {
    private static final QuietHours NIGHT = new QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0));

    private static Instant at(String local) {
        return ZonedDateTime.parse(local + "[Europe/Amsterdam]").toInstant();
    }

    @Test
    @DisplayName("leave daytime alone and move 22:00-08:00 to the next 08:00 Utrecht time, across midnight")
    void deferToMorning() {
        assertEquals(at("2026-05-12T21:59:59+02:00"), NIGHT.deferred(at("2026-05-12T21:59:59+02:00")));
        assertEquals(at("2026-05-13T08:00:00+02:00"), NIGHT.deferred(at("2026-05-12T22:00:00+02:00")));
        assertEquals(at("2026-05-13T08:00:00+02:00"), NIGHT.deferred(at("2026-05-13T03:10:00+02:00")));
        assertEquals(at("2026-05-13T08:00:00+02:00"), NIGHT.deferred(at("2026-05-13T08:00:00+02:00")));
    }

    @Test
    @DisplayName("follow the clock change: the night of 28-29 March 2026 still ends at 08:00 local (CEST)")
    void daylightSaving() {
        assertEquals(at("2026-03-29T08:00:00+02:00"), NIGHT.deferred(at("2026-03-28T23:30:00+01:00")));
    }

    @Test
    @DisplayName("a period within one day, and no quiet hours when start equals end")
    void sameDayAndNone() {
        QuietHours lunch = new QuietHours(LocalTime.of(13, 0), LocalTime.of(14, 0));
        assertEquals(at("2026-05-12T14:00:00+02:00"), lunch.deferred(at("2026-05-12T13:30:00+02:00")));
        assertEquals(at("2026-05-12T23:00:00+02:00"), lunch.deferred(at("2026-05-12T23:00:00+02:00")));
        QuietHours none = new QuietHours(LocalTime.NOON, LocalTime.NOON);
        assertEquals(at("2026-05-12T23:00:00+02:00"), none.deferred(at("2026-05-12T23:00:00+02:00")));
    }
}
