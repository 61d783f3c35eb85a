package nl.omzien.volunteers;

import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
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

@DisplayName("A volunteer's profile")
@ExtendWith(BlockedThreadWatch.class)
class VolunteerProfileTest {
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("volunteers");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> put(String token, JsonObject body) throws Exception {
    return app.client().put("/v1/me/volunteer").bearerTokenAuthentication(token).sendJsonObject(body)
        .await(10, TimeUnit.SECONDS);
  }

  private static JsonObject profile() {
    return new JsonObject()
        .put("location", new JsonObject().put("lat", 52.0908).put("lon", 5.1217))
        .put("travelKm", 7.5)
        .put("transport", new JsonArray().add("car").add("bike"))
        .put("skills", new JsonArray().add("dementia_experience"))
        .put("languages", new JsonArray().add("nl").add("en"))
        .put("vogIssuedOn", "2026-03-02")
        .put("weeklyCap", 3)
        .put("availability", new JsonArray()
            .add(new JsonObject().put("dayOfWeek", 2).put("startTime", "09:00").put("endTime", "12:30"))
            .add(new JsonObject().put("dayOfWeek", 4).put("startTime", "13:00").put("endTime", "17:00")));
  }

  private static long slots(UUID volunteer) throws Exception {
    return app.app().database().pool().preparedQuery("select count(*) from volunteer_availability where volunteer_id = $1")
        .execute(Tuple.of(volunteer)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  @DisplayName("is stored with its wijk derived from the point, and replaced whole on the next PUT")
  void storeAndReplace() throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.VOLUNTEER), Set.of());
    var stored = put(token, profile());
    assertEquals(200, stored.statusCode(), stored::bodyAsString);
    app.assertMatchesContract("putMyVolunteerProfile", stored);
    assertEquals("WK034406", stored.bodyAsJsonObject().getJsonObject("wijk").getString("code"), "the Domtoren is in Binnenstad");
    assertEquals(2, slots(id));

    JsonObject fewer = profile().put("paused", true).put("availability", new JsonArray()
        .add(new JsonObject().put("dayOfWeek", 6).put("startTime", "10:00").put("endTime", "11:00")));
    assertEquals(200, put(token, fewer).statusCode());
    var fetched = app.client().get("/v1/me/volunteer").bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS);
    app.assertMatchesContract("getMyVolunteerProfile", fetched);
    JsonObject me = fetched.bodyAsJsonObject();
    assertEquals(true, me.getBoolean("paused"));
    assertEquals(1, me.getJsonArray("availability").size());
    assertEquals("10:00", me.getJsonArray("availability").getJsonObject(0).getString("startTime"));
    assertEquals(1, slots(id));
  }

  @Test
  @DisplayName("refuses slots that end before they start, points outside Utrecht and contract breaches, writing nothing")
  void badInput() throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.VOLUNTEER), Set.of());
    JsonObject backwards = profile();
    backwards.getJsonArray("availability").getJsonObject(0).put("endTime", "08:00");
    assertProblem(put(token, backwards), 422, "invalid-input", "/availability/0/endTime");
    assertProblem(put(token, profile().put("location", new JsonObject().put("lat", 52.37).put("lon", 4.90))), 422,
        "invalid-input", "/location");
    assertProblem(put(token, profile().put("travelKm", 0)), 400, "validation-failed", "/travelKm");
    assertProblem(put(token, profile().put("transport", new JsonArray().add("helicopter"))), 400, "validation-failed", null);
    assertProblem(put(token, profile().put("vogIssuedOn", "yesterday")), 400, "validation-failed", "/vogIssuedOn");
    assertEquals(0, slots(id));
    assertProblem(app.client().get("/v1/me/volunteer").bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS),
        404, "not-found");
  }

  @Test
  @DisplayName("is only for volunteers")
  void volunteersOnly() throws Exception {
    assertProblem(put(app.token(Role.RESIDENT), profile()), 403, "forbidden");
  }
}
