package nl.omzien.carers;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.omzien.geo.AreaIndex;
import nl.omzien.matching.MatchFixture;
import nl.omzien.matching.MatchFixture.Person;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Mantelzorgers: registering the people they care for, and asking for help on their behalf")
@ExtendWith(BlockedThreadWatch.class)
class CaredForTest {
  private static TestApp app;
  private static MatchFixture f;
  private static String wijk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("carers", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
    wijk = AreaIndex.loadUtrecht().buurtAt(MatchFixture.LAT, MatchFixture.LON).orElseThrow().wijkCode();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  static JsonObject mother() {
    return new JsonObject()
        .put("displayName", "Mies Bakker")
        .put("relationship", "parent")
        .put("phone", "+31302345678")
        .put("home", new JsonObject().put("address", "Tigrisdreef 14, 3561 Utrecht")
            .put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON)));
  }

  /** Registers the carer's mother and returns her user id. */
  static UUID register(MatchFixture f, Person carer) throws Exception {
    HttpResponse<Buffer> created = f.send("POST", "/v1/me/cared-for", carer.token(), mother());
    assertEquals(201, created.statusCode(), created::bodyAsString);
    return UUID.fromString(created.bodyAsJsonObject().getString("userId"));
  }

  private long people() throws Exception {
    return f.count("select count(*) from app_user") + f.count("select count(*) from care_relation")
        + f.count("select count(*) from resident_profile");
  }

  @Test
  @DisplayName("a carer registers their mother, who has no smartphone: a resident without login, home in a derived wijk")
  void register() throws Exception {
    Person carer = f.resident("Karin", 2);
    HttpResponse<Buffer> created = f.send("POST", "/v1/me/cared-for", carer.token(), mother().put("language", "en"));
    assertEquals(201, created.statusCode(), created::bodyAsString);
    app.assertMatchesContract("createCaredFor", created);
    JsonObject mother = created.bodyAsJsonObject();
    assertEquals("Mies Bakker", mother.getString("displayName"));
    assertEquals("parent", mother.getString("relationship"));
    assertEquals("en", mother.getString("language"));
    assertEquals(wijk, mother.getJsonObject("home").getJsonObject("wijk").getString("code"));

    UUID id = UUID.fromString(mother.getString("userId"));
    Row user = f.rows("select external_subject, roles, phone from app_user where id = $1", id).get(0);
    assertNull(user.getString("external_subject"), "no login");
    assertEquals(List.of("resident"), List.of(user.getArrayOfStrings("roles")));
    assertEquals(1, f.count("select count(*) from care_relation where carer_id = $1 and cared_for_id = $2",
        carer.id(), id));

    HttpResponse<Buffer> list = f.send("GET", "/v1/me/cared-for", carer.token(), null);
    assertEquals(200, list.statusCode());
    app.assertMatchesContract("listCaredFor", list);
    assertEquals(List.of(id.toString()), list.bodyAsJsonObject().getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("userId")).toList());
    Person other = f.resident("Piet", 1);
    HttpResponse<Buffer> othersList = f.send("GET", "/v1/me/cared-for", other.token(), null);
    assertEquals(0, othersList.bodyAsJsonObject().getJsonArray("items").size(), "only my own");
  }

  @Test
  @DisplayName("bad input is refused (400, 422) and writes nothing")
  void badInput() throws Exception {
    Person carer = f.resident("Karin", 2);
    long before = people();
    JsonObject noRelationship = mother();
    noRelationship.remove("relationship");
    assertProblem(f.send("POST", "/v1/me/cared-for", carer.token(), noRelationship), 400, "validation-failed", "/");
    assertProblem(f.send("POST", "/v1/me/cared-for", carer.token(), mother().put("relationship", "boss")), 400,
        "validation-failed", "/relationship");
    assertProblem(f.send("POST", "/v1/me/cared-for", carer.token(), mother().put("roles", new JsonArray().add("admin"))),
        400, "validation-failed", "/roles");
    assertProblem(f.send("POST", "/v1/me/cared-for", carer.token(), mother().put("displayName", "   ")), 400,
        "validation-failed", "/displayName");
    assertProblem(f.send("POST", "/v1/me/cared-for", carer.token(), mother().put("phone", "0612")), 400,
        "validation-failed", "/phone");
    JsonObject amsterdam = mother();
    amsterdam.getJsonObject("home").put("location", MatchFixture.point(52.37, 4.89));
    HttpResponse<Buffer> outside = f.send("POST", "/v1/me/cared-for", carer.token(), amsterdam);
    assertProblem(outside, 422, "invalid-input", "/home/location");
    app.assertMatchesContract("createCaredFor", outside);
    assertEquals(before, people(), "nothing written");
  }

  @Test
  @DisplayName("only residents register people they care for (403), and only signed in (401)")
  void whoMay() throws Exception {
    Person volunteer = f.volunteer("Vera", 1, profile());
    HttpResponse<Buffer> forbidden = f.send("POST", "/v1/me/cared-for", volunteer.token(), mother());
    assertProblem(forbidden, 403, "forbidden");
    app.assertMatchesContract("createCaredFor", forbidden);
    assertProblem(f.send("GET", "/v1/me/cared-for", volunteer.token(), null), 403, "forbidden");
    assertProblem(f.send("POST", "/v1/me/cared-for", null, mother()), 401, "unauthorized");
  }

  @Test
  @DisplayName("a carer registers at most 10 people; the 11th is 409 too-many-cared-for")
  void cap() throws Exception {
    Person carer = f.resident("Karin", 2);
    for (int i = 0; i < CaredForApi.MAX_CARED_FOR; i++) {
      register(f, carer);
    }
    HttpResponse<Buffer> eleventh = f.send("POST", "/v1/me/cared-for", carer.token(), mother());
    assertEquals("too-many-cared-for", assertProblem(eleventh, 409, "conflict").getString("code"));
    app.assertMatchesContract("createCaredFor", eleventh);
  }

  @Test
  @DisplayName("a carer asks for a ride for their mother, follows it like she would, and hears about the match")
  void onBehalf() throws Exception {
    Person carer = f.resident("Karin", 2);
    UUID mother = register(f, carer);
    Person volunteer = f.volunteer("Henk", 0.3, profile());

    JsonObject ask = MatchFixture.ride(0).put("onBehalfOf", mother.toString());
    HttpResponse<Buffer> created = f.send("POST", "/v1/requests", carer.token(), ask);
    assertEquals(201, created.statusCode(), created::bodyAsString);
    app.assertMatchesContract("createHelpRequest", created);
    JsonObject request = created.bodyAsJsonObject();
    String id = request.getString("id");
    assertEquals(mother.toString(), request.getString("residentId"));
    assertTrue(request.getBoolean("enteredByProxy"));

    HttpResponse<Buffer> history = f.send("GET", "/v1/requests/" + id + "/history", carer.token(), null);
    assertEquals(200, history.statusCode());
    JsonObject first = history.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertEquals("entered by a carer (mantelzorger)", first.getString("reason"));
    assertEquals(carer.id().toString(), first.getString("actorId"));

    HttpResponse<Buffer> mine = f.send("GET", "/v1/requests", carer.token(), null);
    app.assertMatchesContract("listMyHelpRequests", mine);
    assertEquals(List.of(id), mine.bodyAsJsonObject().getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("id")).toList(), "the cared-for person's requests are listed");

    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, volunteer) + "/accept", volunteer.token(), null)
        .statusCode());
    HttpResponse<Buffer> match = f.send("GET", "/v1/requests/" + id + "/match", carer.token(), null);
    assertEquals(200, match.statusCode(), match::bodyAsString);
    app.assertMatchesContract("getMatch", match);
    for (UUID person : List.of(mother, carer.id())) {
      assertEquals(1, f.count("select count(*) from push_outbox where kind = 'match_confirmed' and user_id = $1"
          + " and request_id = $2", person, UUID.fromString(id)));
      assertEquals(1, f.count("select count(*) from push_outbox where kind = 'volunteer_details_released'"
          + " and user_id = $1 and request_id = $2", person, UUID.fromString(id)));
    }

    HttpResponse<Buffer> cancelled = f.send("POST", "/v1/requests/" + id + "/cancel", carer.token(),
        new JsonObject().put("reason", "Mijn broer rijdt haar toch."));
    assertEquals(200, cancelled.statusCode(), cancelled::bodyAsString);
    assertEquals("cancelled", cancelled.bodyAsJsonObject().getString("status"));
  }

  @Test
  @DisplayName("someone who is not her carer cannot ask for her (403) nor see her requests (404)")
  void strangers() throws Exception {
    Person carer = f.resident("Karin", 2);
    UUID mother = register(f, carer);
    Person stranger = f.resident("Piet", 1);
    HttpResponse<Buffer> refused = f.send("POST", "/v1/requests", stranger.token(),
        MatchFixture.visit().put("onBehalfOf", mother.toString()));
    assertProblem(refused, 403, "forbidden");
    app.assertMatchesContract("createHelpRequest", refused);

    String id = f.ask(carer, MatchFixture.visit().put("onBehalfOf", mother.toString())).getString("id");
    for (String path : List.of("", "/history", "/match", "/activities", "/occurrences")) {
      assertProblem(f.send("GET", "/v1/requests/" + id + path, stranger.token(), null), 404, "not-found");
    }
    assertProblem(f.send("POST", "/v1/requests/" + id + "/cancel", stranger.token(),
        new JsonObject().put("reason", "weg ermee")), 404, "not-found");
    assertEquals(0, f.send("GET", "/v1/requests", stranger.token(), null).bodyAsJsonObject()
        .getJsonArray("items").size());
    assertEquals(1, f.count("select count(*) from help_request where resident_id = $1 and status <> 'cancelled'",
        mother));
    // Her carer sees the visit and the activities that fit it.
    assertEquals(200, f.send("GET", "/v1/requests/" + id + "/activities", carer.token(), null).statusCode());
  }
}
