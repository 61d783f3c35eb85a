package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Activity pushes: a reminder a day before each session, withdrawn on cancel; word of a cancellation")
@ExtendWith(BlockedThreadWatch.class)
class ActivityPushesTest {
  private static TestApp app;
  private static ActivityFixture fx;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("activity-pushes");
    fx = new ActivityFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static long count(String sql, Object... params) throws Exception {
    return app.app().database().pool().preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS)
        .iterator().next().getLong(0);
  }

  @Test
  @DisplayName("sign up -> reminder due 24 h before; cancel the sign-up -> withdrawn; cancel the activity -> told")
  void reminderAndCancellation() throws Exception {
    ActivityFixture.Org org = fx.organisation("Buurtcentrum Pushes", ActivityFixture.OVERVECHT_LAT,
        ActivityFixture.OVERVECHT_LON);
    DayOfWeek day = LocalDate.now(Schedule.ZONE).plusDays(3).getDayOfWeek();
    JsonObject activity = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), day, 10));
    UUID activityId = UUID.fromString(activity.getString("activityId"));
    LocalDate session = ActivityFixture.firstSession(day);

    UUID ria = UUID.randomUUID();
    String riaToken = app.token(ria, Set.of(Role.RESIDENT), Set.of());
    UUID kees = UUID.randomUUID();
    String keesToken = app.token(kees, Set.of(Role.RESIDENT), Set.of());
    String path = "/v1/activities/" + activityId + "/signups";
    JsonObject signup = fx.ok(fx.send(HttpMethod.POST, path, riaToken, new JsonObject().put("date", session.toString())),
        201, "createSignup");
    fx.ok(fx.send(HttpMethod.POST, path, keesToken, new JsonObject().put("date", session.toString())), 201,
        "createSignup");

    var reminder = app.app().database().pool().preparedQuery(
            "select due_at from push_outbox where user_id = $1 and kind = 'activity_reminder' and status = 'pending'")
        .execute(Tuple.of(ria)).await(10, TimeUnit.SECONDS);
    assertEquals(1, reminder.size());
    var start = session.atTime(10, 0).atZone(Schedule.ZONE).toInstant();
    assertEquals(start.minus(Duration.ofHours(24)), reminder.iterator().next().getOffsetDateTime("due_at").toInstant());

    fx.ok(fx.send(HttpMethod.DELETE, "/v1/signups/" + signup.getString("signupId"), riaToken, null), 200,
        "cancelSignup");
    assertEquals(0, count("select count(*) from push_outbox where user_id = $1 and kind = 'activity_reminder'"
        + " and status = 'pending'", ria));
    assertEquals(1, count("select count(*) from push_outbox where user_id = $1 and kind = 'activity_reminder'"
        + " and status = 'pending'", kees));

    fx.ok(fx.send(HttpMethod.POST, "/v1/organisations/" + org.id() + "/activities/" + activityId + "/cancel",
        org.organiser(), null), 200, "cancelActivity");
    assertEquals(1, count("select count(*) from push_outbox where user_id = $1 and kind = 'activity_cancelled'", kees));
    assertEquals(0, count("select count(*) from push_outbox where user_id = $1 and kind = 'activity_cancelled'", ria),
        "Ria had cancelled her sign-up");
    assertEquals(0, count("select count(*) from push_outbox where activity_id = $1 and kind = 'activity_reminder'"
        + " and status = 'pending'", activityId), "no reminders for a cancelled activity");
  }
}
