package nl.omzien.push;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The hours in which non-urgent pushes wait, in Utrecht time ({@link PushTemplates#ZONE}). The period may
 * cross midnight (22:00-08:00) or not (13:00-14:00); start == end means no quiet hours.
 */
public record QuietHours(LocalTime start, LocalTime end) {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    public QuietHours {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }

    /** A person's own quiet hours when both times are set, else {@code fallback} (the deployment's default). */
    public static QuietHours orDefault(LocalTime start, LocalTime end, QuietHours fallback) {
        return start == null || end == null ? fallback : new QuietHours(start, end);
    }

    /** {@code HH:MM} as in the contract's {@code LocalTime}. */
    public static QuietHours parse(String start, String end) {
        return new QuietHours(LocalTime.parse(start, HH_MM), LocalTime.parse(end, HH_MM));
    }

    /** The contract's {@code QuietHoursSetting}: these hours, and whether they are the person's own choice. */
    public JsonObject toJson(boolean custom) {
        return new JsonObject().put("start", start.format(HH_MM)).put("end", end.format(HH_MM)).put("custom", custom);
    }

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
