package nl.omzien.push;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import nl.omzien.activities.Activity;
import nl.omzien.activities.ActivityEvents;
import nl.omzien.activities.Occurrence;

/**
 * Pushes about activities, written to the outbox in the transaction of the change: a reminder 24 hours before
 * each session someone signed up for (withdrawn when they cancel), and word of a cancellation to everyone signed
 * up for a coming session (urgent when that session is within a day, so nobody travels for nothing).
 */
public final class ActivityPushes implements ActivityEvents {
  static final Duration REMINDER_LEAD = Duration.ofHours(24);
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");
  private static final String WITHDRAW_REMINDER = """
      update push_outbox set status = 'suppressed', last_error = 'withdrawn'
       where user_id = $1 and activity_id = $2 and kind = 'activity_reminder' and status = 'pending'
         and due_at >= $3 and due_at < $4
      """;
  private static final String WITHDRAW_ALL_REMINDERS = """
      update push_outbox set status = 'suppressed', last_error = 'withdrawn'
       where activity_id = $1 and kind = 'activity_reminder' and status = 'pending'
      """;
  private static final String PARTICIPANTS = """
      select user_id, min(occurs_on) as next_date from activity_signup
       where activity_id = $1 and status = 'active' and occurs_on >= $2
       group by user_id
      """;

  private final PushOutbox outbox;
  private final Clock clock;

  public ActivityPushes(PushOutbox outbox, Clock clock) {
    this.outbox = outbox;
    this.clock = clock;
  }

  @Override
  public Future<Void> signedUp(SqlConnection tx, Activity activity, LocalDate date, UUID userId) {
    Instant start = activity.schedule().occurrenceOn(date).map(o -> o.startsAt().toInstant()).orElse(null);
    if (start == null || !start.minus(REMINDER_LEAD).isAfter(clock.instant())) {
      return Future.succeededFuture();
    }
    return outbox.enqueue(tx, userId, PushKind.ACTIVITY_REMINDER, false, Map.of(PushRef.ACTIVITY, activity.id()),
        PushParams.NONE.withWhen(start), start.minus(REMINDER_LEAD)).mapEmpty();
  }

  @Override
  public Future<Void> signupCancelled(SqlConnection tx, UUID activityId, LocalDate date, UUID userId) {
    // The reminder for that session was due in the 24 hours before it (later if quiet hours held it back).
    Instant dayStart = date.minusDays(1).atStartOfDay(AMSTERDAM).toInstant();
    Instant dayEnd = date.plusDays(1).atStartOfDay(AMSTERDAM).toInstant();
    return tx.preparedQuery(WITHDRAW_REMINDER)
        .execute(Tuple.of(userId, activityId, PushOutbox.utc(dayStart), PushOutbox.utc(dayEnd))).mapEmpty();
  }

  @Override
  public Future<Void> cancelled(SqlConnection tx, Activity activity) {
    Instant now = clock.instant();
    return tx.preparedQuery(PARTICIPANTS).execute(Tuple.of(activity.id(), LocalDate.ofInstant(now, AMSTERDAM)))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : rows) {
            UUID user = row.getUUID("user_id");
            Instant next = activity.schedule().occurrenceOn(row.getLocalDate("next_date"))
                .map(Occurrence::startsAt).map(t -> t.toInstant()).orElse(now);
            boolean soon = next.isBefore(now.plus(Duration.ofDays(1)));
            chain = chain.compose(v -> outbox.enqueue(tx, user, PushKind.ACTIVITY_CANCELLED, soon,
                Map.of(PushRef.ACTIVITY, activity.id()), PushParams.NONE.withWhen(next)).mapEmpty());
          }
          return chain;
        })
        .compose(v -> tx.preparedQuery(WITHDRAW_ALL_REMINDERS).execute(Tuple.of(activity.id())).mapEmpty());
  }
}
