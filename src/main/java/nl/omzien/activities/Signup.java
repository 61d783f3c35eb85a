package nl.omzien.activities;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * A resident's seat at one session of an activity.
 *
 * @param date        the session's local date (Europe/Amsterdam)
 * @param status      {@code active} or {@code cancelled}
 * @param cancelledAt null while active
 */
public record Signup(UUID id, UUID activityId, String activityTitle, LocalDate date, String status, Instant createdAt,
                     Instant cancelledAt) {
}
