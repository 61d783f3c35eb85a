package nl.omzien.users;

import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
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

@DisplayName("A resident's home")
@ExtendWith(BlockedThreadWatch.class)
class HomeTest {
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("home");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> put(String token, JsonObject body) throws Exception {
    return app.client().put("/v1/me/home").bearerTokenAuthentication(token).sendJsonObject(body)
        .await(10, TimeUnit.SECONDS);
  }

  private static JsonObject home(double lat, double lon) {
    return new JsonObject().put("address", "Domplein 1, Utrecht")
        .put("location", new JsonObject().put("lat", lat).put("lon", lon));
  }

  @Test
  @DisplayName("gets its wijk and buurt from the point, and can be read back as stored")
  void derived() throws Exception {
    String token = app.token(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of());
    assertProblem(app.client().get("/v1/me/home").bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS),
        404, "not-found");
    var stored = put(token, home(52.0908, 5.1217));
    assertEquals(200, stored.statusCode(), stored::bodyAsString);
    assertEquals("Binnenstad", stored.bodyAsJsonObject().getJsonObject("wijk").getString("name"));
    var read = app.client().get("/v1/me/home").bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS);
    app.assertMatchesContract("getMyHome", read);
    assertEquals(stored.bodyAsJsonObject(), read.bodyAsJsonObject());
  }

  @Test
  @DisplayName("refuses a point outside Utrecht (422), out-of-range coordinates and extra fields (400); writes nothing")
  void badInput() throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.RESIDENT), Set.of());
    assertProblem(put(token, home(52.37, 4.90)), 422, "invalid-input", "/location");
    assertProblem(put(token, home(95, 5.1)), 400, "validation-failed", "/location/lat");
    assertProblem(put(token, home(52.09, 5.12).put("wijk", "WK034401")), 400, "validation-failed", "/wijk");
    assertProblem(put(token, home(52.09, 5.12).put("address", "")), 400, "validation-failed", "/address");
    assertEquals(0L, app.app().database().pool().preparedQuery("select count(*) from resident_profile where user_id = $1")
        .execute(Tuple.of(id)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0));
  }

  @Test
  @DisplayName("is for residents only")
  void residentsOnly() throws Exception {
    assertProblem(put(app.token(Role.VOLUNTEER), home(52.0908, 5.1217)), 403, "forbidden");
    assertProblem(put("x.y.z", home(52.0908, 5.1217)), 401, "unauthorized");
  }
}
