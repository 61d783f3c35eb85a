package nl.omzien.matching;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Ambassadors: their wijk's queue, explained candidates, manual assignment and referral (audited)")
@ExtendWith(BlockedThreadWatch.class)
class AmbassadorTest {
  private static TestApp app;
  private static MatchFixture f;
  private static String wijk;
  private static String otherWijk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("ambassador", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
    AreaIndex areas = AreaIndex.loadUtrecht();
    wijk = areas.buurtAt(MatchFixture.LAT, MatchFixture.LON).orElseThrow().wijkCode();
    otherWijk = areas.wijken().stream().map(AreaIndex.Wijk::code).filter(c -> !c.equals(wijk)).findFirst()
        .orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  @Test
  @DisplayName("the queue shows only the ambassador's own wijk, oldest first; another wijk is 404")
  void queueScope() throws Exception {
    var resident = f.resident("Ria", 0);
    String first = f.ask(resident, MatchFixture.ride(0)).getString("id");
    String second = f.ask(resident, MatchFixture.ride(0.2)).getString("id");
    var mine = f.ambassador(wijk);
    var other = f.ambassador(otherWijk);

    JsonArray items = f.send("GET", "/v1/ambassador/queue", mine.token(), null).bodyAsJsonObject()
        .getJsonArray("items");
    assertEquals(first, items.getJsonObject(0).getString("requestId"));
    assertEquals(second, items.getJsonObject(1).getString("requestId"));
    assertEquals(0, f.send("GET", "/v1/ambassador/queue", other.token(), null).bodyAsJsonObject()
        .getJsonArray("items").size());
    assertProblem(f.send("GET", "/v1/ambassador/queue?wijk=" + wijk, other.token(), null), 404, "not-found");
    assertProblem(f.send("GET", "/v1/ambassador/queue?wijk=nonsense", mine.token(), null), 400, "validation-failed");
    assertProblem(f.send("GET", "/v1/ambassador/queue", resident.token(), null), 403, "forbidden");
    String admin = app.token(UUID.randomUUID(), java.util.Set.of(Role.ADMIN), java.util.Set.of());
    assertEquals(2, f.send("GET", "/v1/ambassador/queue", admin, null).bodyAsJsonObject().getJsonArray("items").size());

    // Another wijk's request: every ambassador action on it is 404, as if it did not exist.
    for (String path : new String[] {"/candidates"}) {
      assertProblem(f.send("GET", "/v1/ambassador/requests/" + first + path, other.token(), null), 404, "not-found");
    }
    assertProblem(f.send("POST", "/v1/ambassador/requests/" + first + "/refer", other.token(),
        new JsonObject().put("reason", "x")), 404, "not-found");
    assertProblem(f.send("POST", "/v1/ambassador/requests/" + first + "/assign", other.token(),
        new JsonObject().put("volunteerId", UUID.randomUUID().toString()).put("reason", "x")), 404, "not-found");
    assertEquals("escalated", f.status(first), "nothing changed");
  }

  @Test
  @DisplayName("candidates come ranked with their score breakdown, and the offers made so far")
  void candidates() throws Exception {
    var near = f.volunteer("Anna", 0.3, profile());
    var far = f.volunteer("Bram", 3, profile());
    f.volunteer("Cor", 0.5, profile().transport("bike"));
    String id = f.ask(f.resident("Ria", 0), MatchFixture.ride(0)).getString("id");
    var ambassador = f.ambassador(wijk);
    HttpResponse<Buffer> response = f.send("GET", "/v1/ambassador/requests/" + id + "/candidates",
        ambassador.token(), null);
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("listCandidates", response);
    JsonObject body = response.bodyAsJsonObject();
    JsonArray candidates = body.getJsonArray("candidates");
    assertEquals(2, candidates.size(), "the cyclist cannot drive");
    assertEquals(near.id().toString(), candidates.getJsonObject(0).getString("volunteerId"));
    assertEquals(far.id().toString(), candidates.getJsonObject(1).getString("volunteerId"));
    assertEquals("already_offered", candidates.getJsonObject(0).getString("blockedBy"));
    assertTrue(candidates.getJsonObject(0).getJsonObject("score").getDouble("total")
        > candidates.getJsonObject(1).getJsonObject("score").getDouble("total"));
    assertEquals(2, body.getJsonArray("offers").size());
    assertEquals("Anna", body.getJsonArray("offers").getJsonObject(0).getString("firstName"));
  }

  @Test
  @DisplayName("assigning by hand matches at once, closes the other offers, and is audited")
  void assign() throws Exception {
    var a = f.volunteer("Anna", 0.3, profile());
    var noCar = f.volunteer("Bram", 0.5, profile().transport("bike"));
    String id = f.ask(f.resident("Ria", 0), MatchFixture.ride(0)).getString("id");
    var ambassador = f.ambassador(wijk);
    HttpResponse<Buffer> assigned = f.send("POST", "/v1/ambassador/requests/" + id + "/assign", ambassador.token(),
        new JsonObject().put("volunteerId", noCar.id().toString()).put("reason", "Bram fietst mee met de taxi"));
    assertEquals(200, assigned.statusCode(), assigned::bodyAsString);
    app.assertMatchesContract("assignVolunteer", assigned);
    assertEquals("matched", assigned.bodyAsJsonObject().getString("status"));
    assertEquals("filled", f.rows("select status from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(id), a.id()).get(0).getString("status"));
    var audit = f.rows("select actor_id, action, volunteer_id, reason from manual_action where request_id = $1",
        UUID.fromString(id));
    assertEquals(1, audit.size());
    assertEquals(ambassador.id(), audit.get(0).getUUID("actor_id"));
    assertEquals("assign", audit.get(0).getString("action"));
    JsonObject breakdown = (JsonObject) f.rows("select breakdown from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(id), noCar.id()).get(0).getValue("breakdown");
    assertTrue(breakdown.getBoolean("manual"));
    assertEquals("transport", breakdown.getString("overrode"), "the override is explained");
    assertFalse(f.send("GET", "/v1/me/tasks", noCar.token(), null).bodyAsJsonObject().getJsonArray("items").isEmpty());

    assertProblem(f.send("POST", "/v1/ambassador/requests/" + id + "/assign", ambassador.token(),
        new JsonObject().put("volunteerId", a.id().toString()).put("reason", "toch Anna")), 409, "conflict");
    assertProblem(f.send("POST", "/v1/ambassador/requests/" + UUID.randomUUID() + "/assign", ambassador.token(),
        new JsonObject().put("volunteerId", a.id().toString()).put("reason", "x")), 404, "not-found");
    assertProblem(f.send("POST", "/v1/ambassador/requests/" + id + "/assign", ambassador.token(),
        new JsonObject().put("volunteerId", a.id().toString()).put("reason", "   ")), 400, "validation-failed", "/reason");
  }

  @Test
  @DisplayName("referral to the buurtteam withdraws the offers, is final and audited")
  void refer() throws Exception {
    var a = f.volunteer("Anna", 0.3, profile());
    String id = f.ask(f.resident("Ria", 0), MatchFixture.ride(0)).getString("id");
    var ambassador = f.ambassador(wijk);
    HttpResponse<Buffer> referred = f.send("POST", "/v1/ambassador/requests/" + id + "/refer", ambassador.token(),
        new JsonObject().put("reason", "Te zware zorgvraag"));
    assertEquals(200, referred.statusCode(), referred::bodyAsString);
    app.assertMatchesContract("referToBuurtteam", referred);
    assertEquals("referred", referred.bodyAsJsonObject().getString("status"));
    assertEquals("withdrawn", f.rows("select status from offer where request_id = $1", UUID.fromString(id)).get(0)
        .getString("status"));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1", a.id()));
    assertEquals(1, f.count("select count(*) from manual_action where request_id = $1 and action = 'refer_buurtteam'",
        UUID.fromString(id)));
    assertProblem(f.send("POST", "/v1/ambassador/requests/" + id + "/refer", ambassador.token(),
        new JsonObject().put("reason", "nogmaals")), 409, "conflict");
  }

  @Test
  @DisplayName("a volunteer at their weekly cap is not asked that week")
  void weeklyCap() throws Exception {
    var capped = f.volunteer("Anna", 0.1, profile().cap(1));
    var resident = f.resident("Ria", 0);
    String first = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(first, capped) + "/accept", capped.token(), null)
        .statusCode());
    f.tasksHeard(); // the task ledger hears the match asynchronously (milliseconds); a test must not race it
    String second = f.ask(resident, MatchFixture.ride(0, MatchFixture.window(50, 2))).getString("id");
    assertFalse(f.offered(second).contains(capped.id()), "one task this week is her cap");
    String nextWeek = f.ask(resident, MatchFixture.ride(0, MatchFixture.window(48 + 7 * 24, 2))).getString("id");
    assertTrue(f.offered(nextWeek).contains(capped.id()), "next week she is asked again");
  }

  @Test
  @DisplayName("a known face ranks first: the volunteer who helped this resident before")
  void continuity() throws Exception {
    var known = f.volunteer("Anna", 1.5, profile());
    var resident = f.resident("Ria", 0);
    String first = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(first, known) + "/accept", known.token(), null)
        .statusCode());
    f.tasksHeard();
    for (int i = 0; i < 4; i++) {
      f.volunteer("N" + i, 0.2 + 0.1 * i, profile());
    }
    String again = f.ask(resident, MatchFixture.ride(0, MatchFixture.window(60, 2))).getString("id");
    assertTrue(f.offered(again).contains(known.id()), "asked although four others live nearer");
    JsonObject breakdown = (JsonObject) f.rows("select breakdown from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(again), known.id()).get(0).getValue("breakdown");
    assertEquals(1.0, breakdown.getJsonObject("parts").getJsonObject("continuity").getDouble("score"));
  }
}
