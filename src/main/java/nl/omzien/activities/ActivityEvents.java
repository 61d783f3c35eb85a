package nl.omzien.activities;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.LocalDate;
import java.util.UUID;

/**
 * What else happens, in the same transaction, when people sign up for activities or an activity is cancelled
 * (push notifications: a reminder before the session, word of a cancellation).
 */
public interface ActivityEvents {
  /** Nothing else happens. */
  ActivityEvents NONE = new ActivityEvents() {
    @Override
    public Future<Void> signedUp(SqlConnection tx, Activity activity, LocalDate date, UUID userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> signupCancelled(SqlConnection tx, UUID activityId, LocalDate date, UUID userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> cancelled(SqlConnection tx, Activity activity) {
      return Future.succeededFuture();
    }
  };

  Future<Void> signedUp(SqlConnection tx, Activity activity, LocalDate date, UUID userId);

  Future<Void> signupCancelled(SqlConnection tx, UUID activityId, LocalDate date, UUID userId);

  Future<Void> cancelled(SqlConnection tx, Activity activity);
}
