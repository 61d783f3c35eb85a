package nl.omzien.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Json;
import static nl.omzien.testing.ProblemAssert.assertProblem;

import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Hulpvragen")
@ExtendWith(BlockedThreadWatch.class)
class HelpRequestsTest {
  private static final String OVERVECHT = "WK034403";
  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("requests");
    // No volunteers: round 1 finds nobody, so every new request goes straight to the wijk's ambassadors.
    // (Matching itself is tested in matching.MatchingTest.)
    app.app().database().pool().query("delete from volunteer_profile").execute().await(10, TimeUnit.SECONDS);
    app.app().matcher().volunteers().reload().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** A resident with a home in the given wijk (at its first buurt's centroid). */
  private record Resident(UUID id, String token) {
  }

  private static Resident residentIn(String wijk) throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.RESIDENT), Set.of());
    AreaIndex.Buurt buurt = AREAS.buurten().stream().filter(b -> b.wijkCode().equals(wijk)).findFirst().orElseThrow();
    assertEquals(200, send("PUT", "/v1/me", token, new JsonObject().put("displayName", "Bewoner")).statusCode());
    var home = send("PUT", "/v1/me/home", token, new JsonObject().put("address", "Demo-adres 1, Utrecht")
        .put("location", point(buurt.centroid().lat(), buurt.centroid().lon())));
    assertEquals(200, home.statusCode(), home::bodyAsString);
    assertEquals(wijk, home.bodyAsJsonObject().getJsonObject("wijk").getString("code"));
    app.assertMatchesContract("putMyHome", home);
    return new Resident(id, token);
  }

  private static JsonObject point(double lat, double lon) {
    return new JsonObject().put("lat", lat).put("lon", lon);
  }

  private static HttpResponse<Buffer> send(String method, String path, String token, JsonObject body) throws Exception {
    return send(method, path, token, body, null);
  }

  private static HttpResponse<Buffer> send(String method, String path, String token, JsonObject body, String key)
      throws Exception {
    var request = app.client().request(io.vertx.core.http.HttpMethod.valueOf(method), path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await(10, TimeUnit.SECONDS);
  }

  private static JsonArray window(int daysAhead) {
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(daysAhead).withNano(0);
    return new JsonArray().add(new JsonObject().put("start", Json.dateTime(start)).put("end", Json.dateTime(start.plusHours(3))));
  }

  private static JsonObject ride() {
    AreaIndex.Buurt pickup = AREAS.buurten().stream().filter(b -> b.wijkCode().equals(OVERVECHT)).findFirst().orElseThrow();
    return new JsonObject()
        .put("kind", "transport")
        .put("urgency", "normal")
        .put("timeWindows", window(3))
        .put("note", "Graag rustig rijden")
        .put("transport", new JsonObject()
            .put("pickup", new JsonObject().put("address", "Demo-adres 1").put("location",
                point(pickup.centroid().lat(), pickup.centroid().lon())))
            .put("destination", new JsonObject().put("name", "UMC Utrecht").put("address", "Heidelberglaan 100")
                .put("location", point(52.0873, 5.1797)))
            .put("appointmentAt", Json.dateTime(OffsetDateTime.now(ZoneOffset.UTC).plusDays(3).plusHours(1).withNano(0)))
            .put("returnTrip", true)
            .put("mobility", new JsonArray().add("walker")));
  }

  private static JsonObject visit() {
    return new JsonObject().put("kind", "companionship").put("urgency", "low").put("timeWindows", window(5))
        .put("companionship", new JsonObject().put("activity", "visit").put("languages", new JsonArray().add("nl")));
  }

  private static long count(String sql, Object... params) throws Exception {
    return app.app().database().pool().preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS)
        .iterator().next().getLong(0);
  }

  @Test
  @DisplayName("a resident asks for a ride; it is stored open, in the pickup's wijk, with its history")
  void rideRequest() throws Exception {
    Resident ria = residentIn(OVERVECHT);
    var created = send("POST", "/v1/requests", ria.token(), ride());
    assertEquals(201, created.statusCode(), created::bodyAsString);
    app.assertMatchesContract("createHelpRequest", created);
    JsonObject request = created.bodyAsJsonObject();
    assertEquals("escalated", request.getString("status"), "no volunteer anywhere: straight to the ambassadors");
    assertEquals(OVERVECHT, request.getString("wijk"));
    assertEquals(false, request.getBoolean("enteredByProxy"));
    assertEquals("/v1/requests/" + request.getString("id"), created.getHeader("Location"));

    var fetched = send("GET", "/v1/requests/" + request.getString("id"), ria.token(), null);
    assertEquals(200, fetched.statusCode());
    app.assertMatchesContract("getHelpRequest", fetched);
    assertEquals("UMC Utrecht", fetched.bodyAsJsonObject().getJsonObject("transport").getJsonObject("destination").getString("name"));

    var history = send("GET", "/v1/requests/" + request.getString("id") + "/history", ria.token(), null);
    app.assertMatchesContract("getHelpRequestHistory", history);
    JsonArray items = history.bodyAsJsonObject().getJsonArray("items");
    assertEquals(2, items.size());
    assertNull(items.getJsonObject(0).getString("from"));
    assertEquals("open", items.getJsonObject(0).getString("to"));
    assertEquals("escalated", items.getJsonObject(1).getString("to"));
    assertEquals("no eligible volunteer nearby", items.getJsonObject(1).getString("reason"));
  }

  @Test
  @DisplayName("a retried POST with the same Idempotency-Key returns the first request and writes nothing twice")
  void idempotency() throws Exception {
    Resident resident = residentIn(OVERVECHT);
    String key = "retry-" + UUID.randomUUID();
    var first = send("POST", "/v1/requests", resident.token(), ride(), key);
    var second = send("POST", "/v1/requests", resident.token(), ride(), key);
    assertEquals(201, first.statusCode());
    assertEquals(200, second.statusCode());
    assertEquals(first.bodyAsJsonObject().getString("id"), second.bodyAsJsonObject().getString("id"));
    assertEquals(1, count("select count(*) from help_request where resident_id = $1", resident.id()));
  }

  @Test
  @DisplayName("a visit needs the resident's home; without it the answer is 422 and nothing is written")
  void visitNeedsHome() throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.RESIDENT), Set.of());
    send("PUT", "/v1/me", token, new JsonObject().put("displayName", "Zonder adres"));
    assertProblem(send("POST", "/v1/requests", token, visit()), 422, "invalid-input", "/home");
    assertEquals(0, count("select count(*) from help_request where resident_id = $1", id));
    Resident withHome = residentIn(OVERVECHT);
    assertEquals(201, send("POST", "/v1/requests", withHome.token(), visit()).statusCode());
  }

  @Test
  @DisplayName("refuses domain-impossible input with 422 naming the field, and writes nothing")
  void domainRules() throws Exception {
    Resident resident = residentIn(OVERVECHT);
    JsonObject wrongKind = ride().put("kind", "respite");
    var mismatch = send("POST", "/v1/requests", resident.token(), wrongKind);
    assertProblem(mismatch, 422, "invalid-input", "/respite");
    assertProblem(mismatch, 422, "invalid-input", "/transport");

    JsonObject backwards = ride();
    JsonObject window = backwards.getJsonArray("timeWindows").getJsonObject(0);
    window.put("end", Json.dateTime(OffsetDateTime.parse(window.getString("start")).minusHours(1)));
    assertProblem(send("POST", "/v1/requests", resident.token(), backwards), 422, "invalid-input", "/timeWindows/0/end");

    JsonObject past = ride().put("timeWindows", window(-3));
    assertProblem(send("POST", "/v1/requests", resident.token(), past), 422, "invalid-input", "/timeWindows/0/end");

    JsonObject amsterdam = ride();
    amsterdam.getJsonObject("transport").getJsonObject("pickup").put("location", point(52.37, 4.90));
    assertProblem(send("POST", "/v1/requests", resident.token(), amsterdam), 422, "invalid-input",
        "/transport/pickup/location");
    assertEquals(0, count("select count(*) from help_request where resident_id = $1", resident.id()));
  }

  @Test
  @DisplayName("refuses input that breaks the contract with 400 naming the field, and writes nothing")
  void contractRules() throws Exception {
    Resident resident = residentIn(OVERVECHT);
    assertProblem(send("POST", "/v1/requests", resident.token(), ride().put("urgency", "asap")), 400,
        "validation-failed", "/urgency");
    assertProblem(send("POST", "/v1/requests", resident.token(), ride().put("status", "matched")), 400,
        "validation-failed", "/status");
    JsonObject noWindows = ride();
    noWindows.remove("timeWindows");
    assertProblem(send("POST", "/v1/requests", resident.token(), noWindows), 400, "validation-failed", null);
    JsonObject badLat = ride();
    badLat.getJsonObject("transport").getJsonObject("pickup").put("location", point(91, 5.1));
    assertProblem(send("POST", "/v1/requests", resident.token(), badLat), 400, "validation-failed",
        "/transport/pickup/location/lat");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 11; i++) {
      tooMany.add(window(2 + i).getJsonObject(0));
    }
    assertProblem(send("POST", "/v1/requests", resident.token(), ride().put("timeWindows", tooMany)), 400,
        "validation-failed", "/timeWindows");
    assertProblem(send("POST", "/v1/requests", resident.token(), ride().put("note", "x".repeat(1001))), 400,
        "validation-failed", "/note");
    assertProblem(send("GET", "/v1/requests/not-a-uuid", resident.token(), null), 400, "validation-failed", null);
    assertEquals(0, count("select count(*) from help_request where resident_id = $1", resident.id()));
  }

  @Test
  @DisplayName("only its resident, an ambassador of its wijk and an admin can see a request; others get 404")
  void objectLevelAccess() throws Exception {
    Resident owner = residentIn(OVERVECHT);
    String id = send("POST", "/v1/requests", owner.token(), ride()).bodyAsJsonObject().getString("id");
    String path = "/v1/requests/" + id;
    Resident neighbour = residentIn(OVERVECHT);
    assertProblem(send("GET", path, neighbour.token(), null), 404, "not-found", null);
    assertProblem(send("GET", path + "/history", neighbour.token(), null), 404, "not-found", null);
    assertProblem(send("POST", path + "/cancel", neighbour.token(), new JsonObject().put("reason", "x")), 404,
        "not-found", null);
    assertProblem(send("GET", path, app.token(Role.VOLUNTEER), null), 404, "not-found", null);
    assertProblem(send("GET", path, app.token(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of("WK034406")), null),
        404, "not-found", null);
    assertEquals(200, send("GET", path, app.token(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of(OVERVECHT)), null)
        .statusCode());
    assertEquals(200, send("GET", path, app.token(Role.ADMIN), null).statusCode());
    assertProblem(send("GET", "/v1/requests/" + UUID.randomUUID(), owner.token(), null), 404, "not-found", null);
    assertProblem(send("POST", "/v1/requests", app.token(Role.VOLUNTEER), ride()), 403, "forbidden", null);
    assertProblem(send("GET", "/v1/requests", app.token(Role.ORGANISER), null), 403, "forbidden", null);
  }

  @Test
  @DisplayName("an ambassador enters a request for a resident of their wijk, with the resident's consent recorded")
  void proxyEntry() throws Exception {
    Resident ans = residentIn(OVERVECHT);
    UUID ambassadorId = UUID.randomUUID();
    String ambassador = app.token(ambassadorId, Set.of(Role.AMBASSADOR), Set.of(OVERVECHT));
    JsonObject consent = new JsonObject().put("givenBy", "resident").put("how", "phone")
        .put("at", Json.dateTime(OffsetDateTime.now(ZoneOffset.UTC).withNano(0)));

    assertProblem(send("POST", "/v1/requests", ambassador, visit().put("onBehalfOf", ans.id().toString())), 422,
        "invalid-input", "/consent");
    var created = send("POST", "/v1/requests", ambassador,
        visit().put("onBehalfOf", ans.id().toString()).put("consent", consent));
    assertEquals(201, created.statusCode(), created::bodyAsString);
    assertTrue(created.bodyAsJsonObject().getBoolean("enteredByProxy"));
    assertEquals(ans.id().toString(), created.bodyAsJsonObject().getString("residentId"));
    assertEquals(1, count("select count(*) from help_request where resident_id = $1 and created_by = $2 "
        + "and proxy_consent->>'how' = 'phone'", ans.id(), ambassadorId));
    var list = send("GET", "/v1/requests", ans.token(), null);
    assertEquals(1, list.bodyAsJsonObject().getJsonArray("items").size(), "the resident sees it among their own");

    Resident elsewhere = residentIn("WK034406");
    assertProblem(send("POST", "/v1/requests", ambassador,
        visit().put("onBehalfOf", elsewhere.id().toString()).put("consent", consent)), 404, "not-found", null);
    assertProblem(send("POST", "/v1/requests", ans.token(),
        visit().put("onBehalfOf", elsewhere.id().toString()).put("consent", consent)), 403, "forbidden", null);
  }

  @Test
  @DisplayName("a resident withdraws a request; withdrawing it again is an illegal transition (409)")
  void cancel() throws Exception {
    Resident resident = residentIn(OVERVECHT);
    String id = send("POST", "/v1/requests", resident.token(), ride()).bodyAsJsonObject().getString("id");
    var cancelled = send("POST", "/v1/requests/" + id + "/cancel", resident.token(),
        new JsonObject().put("reason", "Mijn zoon brengt me"));
    assertEquals(200, cancelled.statusCode(), cancelled::bodyAsString);
    app.assertMatchesContract("cancelHelpRequest", cancelled);
    assertEquals("cancelled", cancelled.bodyAsJsonObject().getString("status"));

    var again = send("POST", "/v1/requests/" + id + "/cancel", resident.token(), new JsonObject().put("reason", "nogmaals"));
    assertProblem(again, 409, "conflict", null);
    assertEquals("illegal-transition", again.bodyAsJsonObject().getString("code"));
    app.assertMatchesContract("cancelHelpRequest", again);

    JsonArray history = send("GET", "/v1/requests/" + id + "/history", resident.token(), null)
        .bodyAsJsonObject().getJsonArray("items");
    assertEquals(3, history.size());
    JsonObject change = history.getJsonObject(2);
    assertEquals("escalated", change.getString("from"));
    assertEquals("cancelled", change.getString("to"));
    assertEquals("Mijn zoon brengt me", change.getString("reason"));
    assertEquals(resident.id().toString(), change.getString("actorId"));
  }

  @Test
  @DisplayName("lists my requests newest first in pages, without gaps or repeats; a forged cursor is 422")
  void pagination() throws Exception {
    Resident resident = residentIn(OVERVECHT);
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(send("POST", "/v1/requests", resident.token(), ride()).bodyAsJsonObject().getString("id"));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var page = send("GET", "/v1/requests?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), resident.token(), null);
      assertEquals(200, page.statusCode(), page::bodyAsString);
      app.assertMatchesContract("listMyHelpRequests", page);
      for (Object item : page.bodyAsJsonObject().getJsonArray("items")) {
        assertTrue(seen.add(((JsonObject) item).getString("id")), "no repeats");
      }
      cursor = page.bodyAsJsonObject().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertEquals(3, pages);
    assertEquals(created, seen);
    assertProblem(send("GET", "/v1/requests?cursor=bm9wZQ", resident.token(), null), 422, "invalid-input", "cursor");
    var open = send("GET", "/v1/requests?status=cancelled", resident.token(), null);
    assertEquals(0, open.bodyAsJsonObject().getJsonArray("items").size());
    assertNotNull(open.bodyAsJsonObject());
  }
}
