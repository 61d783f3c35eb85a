package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.activities.ActivityFixture.Org;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Sign-ups")
@ExtendWith(BlockedThreadWatch.class)
class SignupCapacityTest {
  private static TestApp app;
  private static ActivityFixture fx;
  private static Org org;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("signups");
    fx = new ActivityFixture(app);
    org = fx.organisation("Buurtcentrum Capaciteit", ActivityFixture.OVERVECHT_LAT, ActivityFixture.OVERVECHT_LON);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String resident() {
    return app.token(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of());
  }

  private static Future<HttpResponse<Buffer>> signUpAsync(String activityId, String token, String date) {
    return app.client().post("/v1/activities/" + activityId + "/signups").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("date", date));
  }

  private static int seatsTaken(String activityId, String date) throws Exception {
    var rows = app.app().database().pool()
        .preparedQuery("select taken from activity_occurrence where activity_id = $1 and occurs_on = $2")
        .execute(Tuple.of(UUID.fromString(activityId), java.time.LocalDate.parse(date))).await(10, TimeUnit.SECONDS);
    return rows.size() == 0 ? 0 : rows.iterator().next().getInteger("taken");
  }

  private static int activeSignups(String activityId, String date) throws Exception {
    return app.app().database().pool()
        .preparedQuery("select count(*) as n from activity_signup where activity_id = $1 and occurs_on = $2"
            + " and status = 'active'")
        .execute(Tuple.of(UUID.fromString(activityId), java.time.LocalDate.parse(date))).await(10, TimeUnit.SECONDS)
        .iterator().next().getLong("n").intValue();
  }

  @Test
  @DisplayName("30 residents signing up at once for 10 seats: exactly 10 succeed, 20 get 409 activity-full")
  void capacityUnderConcurrency() throws Exception {
    String id = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.WEDNESDAY, 10))
        .getString("activityId");
    String date = ActivityFixture.firstSession(DayOfWeek.WEDNESDAY).toString();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      all.add(signUpAsync(id, resident(), date));
    }
    Future.join(all).await(60, TimeUnit.SECONDS);
    int created = 0;
    int full = 0;
    for (Future<HttpResponse<Buffer>> response : all) {
      HttpResponse<Buffer> r = response.result();
      if (r.statusCode() == 201) {
        fx.ok(r, 201, "createSignup");
        created++;
      } else {
        assertEquals("activity-full", fx.problem(r, 409, "createSignup").getString("code"));
        full++;
      }
    }
    assertEquals(10, created);
    assertEquals(20, full);
    assertEquals(10, seatsTaken(id, date));
    assertEquals(10, activeSignups(id, date));
  }

  @Test
  @DisplayName("the same resident signing up repeatedly, even at once, holds one seat and gets the same sign-up back")
  void duplicateSignupIsIdempotent() throws Exception {
    String id = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.THURSDAY, 3))
        .getString("activityId");
    String date = ActivityFixture.firstSession(DayOfWeek.THURSDAY).toString();
    String ria = resident();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(signUpAsync(id, ria, date));
    }
    Future.join(all).await(60, TimeUnit.SECONDS);
    long created = all.stream().filter(f -> f.result().statusCode() == 201).count();
    long existing = all.stream().filter(f -> f.result().statusCode() == 200).count();
    assertEquals(1, created);
    assertEquals(7, existing);
    assertEquals(1, all.stream().map(f -> f.result().bodyAsJsonObject().getString("signupId")).distinct().count());
    fx.ok(all.get(0).result(), all.get(0).result().statusCode(), "createSignup");
    assertEquals(1, seatsTaken(id, date));
  }

  @Test
  @DisplayName("cancelling a sign-up frees its seat for someone else; cancelling twice is harmless; others' are 404")
  void cancelFreesSeat() throws Exception {
    String id = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.SATURDAY, 1))
        .getString("activityId");
    String date = ActivityFixture.firstSession(DayOfWeek.SATURDAY).toString();
    String first = resident();
    String second = resident();
    JsonObject seat = fx.ok(signUpAsync(id, first, date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    fx.problem(signUpAsync(id, second, date).await(10, TimeUnit.SECONDS), 409, "createSignup");
    String path = "/v1/signups/" + seat.getString("signupId");
    fx.problem(fx.send(HttpMethod.DELETE, path, second, null), 404, "cancelSignup");
    JsonObject cancelled = fx.ok(fx.send(HttpMethod.DELETE, path, first, null), 200, "cancelSignup");
    assertEquals("cancelled", cancelled.getString("status"));
    fx.ok(fx.send(HttpMethod.DELETE, path, first, null), 200, "cancelSignup");
    assertEquals(0, seatsTaken(id, date));
    fx.ok(signUpAsync(id, second, date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    assertEquals(1, seatsTaken(id, date));
    JsonObject mine = fx.ok(fx.send(HttpMethod.GET, "/v1/me/signups", first, null), 200, "listMySignups");
    assertEquals("cancelled", mine.getJsonArray("items").getJsonObject(0).getString("status"));
  }

  @Test
  @DisplayName("signing up again after cancelling re-activates the same sign-up")
  void signUpAgainAfterCancel() throws Exception {
    String id = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.MONDAY, 5))
        .getString("activityId");
    String date = ActivityFixture.firstSession(DayOfWeek.MONDAY).toString();
    String henk = resident();
    JsonObject seat = fx.ok(signUpAsync(id, henk, date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    fx.ok(fx.send(HttpMethod.DELETE, "/v1/signups/" + seat.getString("signupId"), henk, null), 200, "cancelSignup");
    JsonObject again = fx.ok(signUpAsync(id, henk, date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    assertEquals(seat.getString("signupId"), again.getString("signupId"));
    assertEquals("active", again.getString("status"));
    assertEquals(1, seatsTaken(id, date));
  }

  @Test
  @DisplayName("lowering capacity below a coming session's sign-ups is 409 capacity-below-signups; raising it frees seats")
  void capacityChange() throws Exception {
    JsonObject body = ActivityFixture.weekly(org.venueId(), DayOfWeek.SUNDAY, 2);
    String id = fx.createActivity(org, body).getString("activityId");
    String date = ActivityFixture.firstSession(DayOfWeek.SUNDAY).toString();
    fx.ok(signUpAsync(id, resident(), date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    fx.ok(signUpAsync(id, resident(), date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    fx.problem(signUpAsync(id, resident(), date).await(10, TimeUnit.SECONDS), 409, "createSignup");
    String path = "/v1/organisations/" + org.id() + "/activities/" + id;
    JsonObject refused = fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("capacity", 1)), 409,
        "updateActivity");
    assertEquals("capacity-below-signups", refused.getString("code"));
    fx.ok(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("capacity", 3)), 200, "updateActivity");
    fx.ok(signUpAsync(id, resident(), date).await(10, TimeUnit.SECONDS), 201, "createSignup");
    assertEquals(3, seatsTaken(id, date));
  }
}
