package nl.omzien.requests;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.omzien.auth.Role;
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

@DisplayName("Editing a request: what it keeps, what sends it back to matching, and who may")
@ExtendWith(BlockedThreadWatch.class)
class EditRequestTest {
  private static TestApp app;
  private static MatchFixture f;
  private static String wijk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("edit-requests", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
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

  /** The editable part of a created request, as a client would send it back. */
  private static JsonObject editable(JsonObject request) {
    JsonObject edit = new JsonObject()
        .put("urgency", request.getString("urgency"))
        .put("timeWindows", request.getJsonArray("timeWindows").copy());
    if (request.getString("note") != null) {
      edit.put("note", request.getString("note"));
    }
    String kind = request.getString("kind");
    return edit.put(kind, request.getJsonObject(kind).copy());
  }

  private HttpResponse<Buffer> put(String id, Person who, JsonObject body) throws Exception {
    return f.send("PUT", "/v1/requests/" + id, who.token(), body);
  }

  private JsonObject lastChange(String id) throws Exception {
    Row row = f.rows("select from_status, to_status, reason, actor_id from help_request_history where request_id = $1"
        + " order by id desc limit 1", UUID.fromString(id)).get(0);
    return new JsonObject().put("from", row.getString("from_status")).put("to", row.getString("to_status"))
        .put("reason", row.getString("reason")).put("actor", String.valueOf(row.getUUID("actor_id")));
  }

  @Test
  @DisplayName("a new note and urgency keep the match: same volunteer, no pushes, the edit in the history")
  void noteKeepsMatch() throws Exception {
    Person henk = f.volunteer("Henk", 0.3, profile());
    Person ria = f.resident("Ria", 0);
    JsonObject request = f.ask(ria, MatchFixture.ride(0));
    String id = request.getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, henk) + "/accept", henk.token(), null)
        .statusCode());
    long pushes = f.count("select count(*) from push_outbox where request_id = $1", UUID.fromString(id));

    HttpResponse<Buffer> edited = put(id, ria, editable(request).put("note", "Ik heb nu een rollator").put("urgency",
        "high"));
    assertEquals(200, edited.statusCode(), edited::bodyAsString);
    app.assertMatchesContract("updateHelpRequest", edited);
    assertEquals("matched", edited.bodyAsJsonObject().getString("status"));
    assertEquals("Ik heb nu een rollator", edited.bodyAsJsonObject().getString("note"));
    assertEquals("high", edited.bodyAsJsonObject().getString("urgency"));
    assertEquals(henk.id(), f.rows("select volunteer_id from help_request where id = $1", UUID.fromString(id)).get(0)
        .getUUID(0));
    assertEquals(pushes, f.count("select count(*) from push_outbox where request_id = $1", UUID.fromString(id)));
    assertEquals(new JsonObject().put("from", "matched").put("to", "matched").put("reason", "edited: urgency, note")
        .put("actor", ria.id().toString()), lastChange(id));
    HttpResponse<Buffer> task = f.send("GET", "/v1/me/tasks", henk.token(), null);
    assertEquals("Ik heb nu een rollator", task.bodyAsJsonObject().getJsonArray("items").getJsonObject(0)
        .getString("note"), "the volunteer sees the new note");

    // Sending the same again changes nothing and records nothing.
    long changes = f.count("select count(*) from help_request_history where request_id = $1", UUID.fromString(id));
    assertEquals(200, put(id, ria, editable(edited.bodyAsJsonObject())).statusCode());
    assertEquals(changes, f.count("select count(*) from help_request_history where request_id = $1",
        UUID.fromString(id)));
  }

  @Test
  @DisplayName("new time windows release the matched volunteer (offer withdrawn, pushed, reminders gone) and match again")
  void newTimeRematches() throws Exception {
    Person henk = f.volunteer("Henk", 0.3, profile());
    Person ria = f.resident("Ria", 0);
    JsonObject request = f.ask(ria, MatchFixture.ride(0));
    String id = request.getString("id");
    UUID requestId = UUID.fromString(id);
    UUID offer = f.offerOf(id, henk);
    assertEquals(200, f.send("POST", "/v1/offers/" + offer + "/accept", henk.token(), null).statusCode());
    assertEquals(4, f.count("select count(*) from push_outbox where kind = 'appointment_reminder' and request_id = $1"
        + " and status = 'pending'", requestId));

    JsonObject later = editable(request).put("timeWindows", MatchFixture.window(72, 2));
    later.getJsonObject("transport").put("appointmentAt",
        later.getJsonArray("timeWindows").getJsonObject(0).getString("start"));
    HttpResponse<Buffer> edited = put(id, ria, later);
    assertEquals(200, edited.statusCode(), edited::bodyAsString);
    app.assertMatchesContract("updateHelpRequest", edited);
    assertEquals("offered", edited.bodyAsJsonObject().getString("status"), "round 1 ran again at once");
    assertNull(f.rows("select volunteer_id from help_request where id = $1", requestId).get(0).getUUID(0));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1"
        + " and offer_id = $2", henk.id(), offer));
    assertEquals(0, f.count("select count(*) from push_outbox where kind = 'appointment_reminder' and request_id = $1"
        + " and status = 'pending'", requestId));
    assertEquals(1, f.count("select count(*) from help_request_history where request_id = $1 and from_status = 'matched'"
        + " and to_status = 'open' and reason = 'edited: timeWindows, transport; matching starts again'", requestId));
    assertEquals(later.getJsonArray("timeWindows").getJsonObject(0).getString("start"),
        edited.bodyAsJsonObject().getJsonArray("timeWindows").getJsonObject(0).getString("start"));
    // The released volunteer may be asked again for the new time: their offer is pending again.
    assertEquals("pending", f.rows("select status from offer where id = $1", offer).get(0).getString(0));
  }

  @Test
  @DisplayName("a new pickup point of an offered ride withdraws the pending offers and asks again from there")
  void newPickupRematches() throws Exception {
    Person near = f.volunteer("Anna", 0.3, profile().travelKm(2));
    Person east = f.volunteer("Bram", 6, profile().travelKm(2));
    Person ria = f.resident("Ria", 0);
    JsonObject request = f.ask(ria, MatchFixture.ride(0));
    String id = request.getString("id");
    assertEquals(java.util.List.of(near.id()), f.offered(id));

    JsonObject moved = editable(request);
    moved.getJsonObject("transport").getJsonObject("pickup").put("location",
        MatchFixture.point(MatchFixture.LAT, MatchFixture.LON + 6 * MatchFixture.KM));
    HttpResponse<Buffer> edited = put(id, ria, moved);
    assertEquals(200, edited.statusCode(), edited::bodyAsString);
    assertEquals("withdrawn", f.rows("select status from offer where volunteer_id = $1", near.id()).get(0)
        .getString(0));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1",
        near.id()));
    assertEquals("pending", f.rows("select status from offer where volunteer_id = $1", east.id()).get(0)
        .getString(0));
  }

  @Test
  @DisplayName("a completed, cancelled, expired or referred request cannot be edited: 409 illegal-transition")
  void finalStatuses() throws Exception {
    Person ria = f.resident("Ria", 0);
    for (String status : new String[] {"completed", "cancelled", "expired", "referred"}) {
      JsonObject request = f.ask(ria, MatchFixture.visit("nl"));
      f.sql("update help_request set status = $2 where id = $1", UUID.fromString(request.getString("id")), status);
      HttpResponse<Buffer> refused = put(request.getString("id"), ria, editable(request).put("note", "toch niet"));
      assertEquals("illegal-transition", assertProblem(refused, 409, "conflict").getString("code"));
      app.assertMatchesContract("updateHelpRequest", refused);
    }
  }

  @Test
  @DisplayName("bad edits are refused (400 contract, 422 rules) and change nothing")
  void badInput() throws Exception {
    Person ria = f.resident("Ria", 0);
    JsonObject request = f.ask(ria, MatchFixture.ride(0));
    String id = request.getString("id");
    Row before = f.rows("select updated_at, note, urgency, details from help_request where id = $1",
        UUID.fromString(id)).get(0);
    long history = f.count("select count(*) from help_request_history where request_id = $1", UUID.fromString(id));

    assertProblem(put(id, ria, editable(request).put("kind", "respite")), 400, "validation-failed", "/kind");
    JsonObject noUrgency = editable(request);
    noUrgency.remove("urgency");
    assertProblem(put(id, ria, noUrgency), 400, "validation-failed", "/");
    assertProblem(put(id, ria, editable(request).put("timeWindows", new JsonArray())), 400, "validation-failed",
        "/timeWindows");
    HttpResponse<Buffer> wrongKind = put(id, ria, editable(request).put("companionship",
        new JsonObject().put("activity", "visit")));
    assertProblem(wrongKind, 422, "invalid-input", "/companionship");
    app.assertMatchesContract("updateHelpRequest", wrongKind);
    JsonObject noDetails = editable(request);
    noDetails.remove("transport");
    assertProblem(put(id, ria, noDetails), 422, "invalid-input", "/transport");
    JsonObject backwards = editable(request);
    JsonObject window = backwards.getJsonArray("timeWindows").getJsonObject(0);
    window.put("end", window.getString("start"));
    assertProblem(put(id, ria, backwards), 422, "invalid-input", "/timeWindows/0/end");
    JsonObject amsterdam = editable(request);
    amsterdam.getJsonObject("transport").getJsonObject("pickup").put("location", MatchFixture.point(52.37, 4.89));
    assertProblem(put(id, ria, amsterdam), 422, "invalid-input", "/transport/pickup/location");
    assertProblem(f.send("PUT", "/v1/requests/not-a-uuid", ria.token(), editable(request)), 400, "validation-failed");

    Row after = f.rows("select updated_at, note, urgency, details from help_request where id = $1",
        UUID.fromString(id)).get(0);
    assertEquals(before.getOffsetDateTime("updated_at"), after.getOffsetDateTime("updated_at"));
    assertEquals(before.getValue("details"), after.getValue("details"));
    assertEquals(history, f.count("select count(*) from help_request_history where request_id = $1",
        UUID.fromString(id)));
  }

  @Test
  @DisplayName("only its resident, their carer or an ambassador of its wijk edits; others get 404 or 403")
  void whoMay() throws Exception {
    Person ria = f.resident("Ria", 0);
    JsonObject request = f.ask(ria, MatchFixture.visit("nl"));
    String id = request.getString("id");
    JsonObject edit = editable(request).put("note", "Graag in de middag");

    HttpResponse<Buffer> stranger = put(id, f.resident("Piet", 1), edit);
    assertProblem(stranger, 404, "not-found");
    app.assertMatchesContract("updateHelpRequest", stranger);
    assertProblem(put(id, f.ambassador("WK034403".equals(wijk) ? "WK034401" : "WK034403"), edit), 404, "not-found");
    Person volunteer = f.volunteer("Vera", 0.1, profile());
    HttpResponse<Buffer> noRole = put(id, volunteer, edit);
    assertProblem(noRole, 403, "forbidden");
    app.assertMatchesContract("updateHelpRequest", noRole);
    UUID adminId = UUID.randomUUID();
    assertProblem(f.send("PUT", "/v1/requests/" + id, app.token(adminId, Set.of(Role.ADMIN), Set.of()), edit), 403,
        "forbidden");
    assertProblem(f.send("PUT", "/v1/requests/" + id, null, edit), 401, "unauthorized");
    assertEquals(null, f.rows("select note from help_request where id = $1", UUID.fromString(id)).get(0).getString(0));

    Person ambassador = f.ambassador(wijk);
    HttpResponse<Buffer> byAmbassador = put(id, ambassador, edit);
    assertEquals(200, byAmbassador.statusCode(), byAmbassador::bodyAsString);
    assertEquals(ambassador.id().toString(), lastChange(id).getString("actor"));

    Person carer = f.resident("Karin", 2);
    HttpResponse<Buffer> registered = f.send("POST", "/v1/me/cared-for", carer.token(), new JsonObject()
        .put("displayName", "Mies").put("relationship", "parent").put("home", new JsonObject()
            .put("address", "Tigrisdreef 14").put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON))));
    String mother = registered.bodyAsJsonObject().getString("userId");
    JsonObject hers = f.ask(carer, MatchFixture.visit("nl").put("onBehalfOf", mother));
    HttpResponse<Buffer> byCarer = put(hers.getString("id"), carer, editable(hers).put("urgency", "normal"));
    assertEquals(200, byCarer.statusCode(), byCarer::bodyAsString);
    assertEquals("normal", byCarer.bodyAsJsonObject().getString("urgency"));
  }
}
