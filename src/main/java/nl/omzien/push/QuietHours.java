package nl.omzien.push;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;

/**
 * The hours in which non-urgent pushes wait, in Utrecht time ({@link PushTemplates#ZONE}). The period may
 * cross midnight (22:00-08:00) or not (13:00-14:00); start == end means no quiet hours.
 */
public record QuietHours(LocalTime start, LocalTime end) {

    /**
     * When a message that becomes due at {@code due} may be sent: {@code due} itself outside quiet hours,
     * otherwise the end of the quiet period it falls in (DST-aware).
     */
    public Instant deferred(Instant due) {
        if (start.equals(end)) {
            return due;
        }
        ZonedDateTime local = due.atZone(PushTemplates.ZONE);
        LocalTime t = local.toLocalTime();
        LocalDate day = local.toLocalDate();
        boolean crossesMidnight = start.isAfter(end);
        if (crossesMidnight) {
            if (!t.isBefore(start)) {
                return ZonedDateTime.of(day.plusDays(1), end, PushTemplates.ZONE).toInstant();
            }
            if (t.isBefore(end)) {
                return ZonedDateTime.of(day, end, PushTemplates.ZONE).toInstant();
            }
            return due;
        }
        if (!t.isBefore(start) && t.isBefore(end)) {
            return ZonedDateTime.of(day, end, PushTemplates.ZONE).toInstant();
        }
        return due;
    }
}
