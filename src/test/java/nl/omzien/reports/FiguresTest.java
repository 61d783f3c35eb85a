package nl.omzien.reports;

import static nl.omzien.reports.FiguresFixture.A;
import static nl.omzien.reports.FiguresFixture.B;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Figures per wijk")
@ExtendWith(BlockedThreadWatch.class)
class FiguresTest {
  private static final String MARCH = "?from=2026-03-01&to=2026-03-31";
  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();
  private static TestApp app;
  private static FiguresFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("figures");
    fixture = new FiguresFixture(app.app().database().pool());
    fixture.load();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String admin() {
    return app.token(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of());
  }

  private static String ambassadorOf(String... wijken) {
    return app.token(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of(wijken));
  }

  private static HttpResponse<Buffer> get(String path, String token) throws Exception {
    var request = app.client().get(path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request.send().await(20, TimeUnit.SECONDS);
  }

  private static JsonObject figures(String query, String token) throws Exception {
    HttpResponse<Buffer> response = get("/v1/figures" + query, token);
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("getFigures", response);
    return response.bodyAsJsonObject();
  }

  private static JsonObject wijk(JsonObject figures, String code) {
    return figures.getJsonArray("wijken").stream().map(JsonObject.class::cast)
        .filter(w -> w.getJsonObject("wijk").getString("code").equals(code)).findFirst().orElseThrow();
  }

  /** The value at a dotted path, e.g. {@code matched.share}. */
  static Object at(JsonObject node, String path) {
    Object current = node;
    for (String part : path.split("\\.")) {
      current = ((JsonObject) current).getValue(part);
    }
    return current;
  }

  /** Asserts each path's value: a number (compared exactly as a double) or "<5". */
  private static void assertFigures(JsonObject node, Object... pathsAndValues) {
    for (int i = 0; i < pathsAndValues.length; i += 2) {
      String path = (String) pathsAndValues[i];
      Object expected = pathsAndValues[i + 1];
      Object actual = at(node, path);
      if (expected instanceof Number number) {
        assertTrue(actual instanceof Number, path + " should be a number but is " + actual);
        assertEquals(number.doubleValue(), ((Number) actual).doubleValue(), 0.0, path);
      } else {
        assertEquals(expected, actual, path);
      }
    }
  }

  private static double round(double value, int decimals) {
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
  }

  @Test
  @DisplayName("Overvecht in March: every figure is exactly the hand-computed one")
  void overvecht() throws Exception {
    JsonObject a = wijk(figures(MARCH, admin()), A);
    int population = AREAS.wijk(A).orElseThrow().population();
    assertEquals(new JsonObject().put("code", A).put("name", "Overvecht"), a.getJsonObject("wijk"));
    assertEquals(population, a.getInteger("population"));
    assertFigures(a,
        "requests", 10,
        "matched.count", 7, "matched.share", 0.7,
        // first offers after 10..80 minutes: median between 40 and 50, p90 at 70 + 0.3 * 10
        "timeToFirstOfferMinutes.observations", 8, "timeToFirstOfferMinutes.median", 45.0,
        "timeToFirstOfferMinutes.p90", 73.0,
        // matches after 100..700 minutes: median the 4th, p90 at 600 + 0.4 * 100
        "timeToMatchMinutes.observations", 7, "timeToMatchMinutes.median", 400.0, "timeToMatchMinutes.p90", 640.0,
        "escalated.count", 5, "escalated.share", 0.5,
        "referred.count", "<5", "referred.share", "<5",
        "expired.count", "<5", "expired.share", "<5",
        "resolvedInSocialBasisShare", 0.875,
        // V1..V5 and V6 (the re-match) live in Overvecht; V7 lives in Zuid
        "volunteers.active", 6, "volunteers.per1000Residents", round(6000.0 / population, 2),
        "volunteers.completedWithHours", 7, "volunteers.hours", 11.0,
        "offers.made", 19, "offers.declined", 9, "offers.declinedShare", round(9 / 19.0, 3),
        "continuity.repeatMatches", "<5", "continuity.sameVolunteerShare", "<5",
        "activities.sessionsHeld", "<5", "activities.signups", "<5",
        "activities.companionshipFollowedBySignup.windowDays", 60,
        "activities.companionshipFollowedBySignup.eligible", "<5",
        "activities.companionshipFollowedBySignup.share", "<5",
        "feedback.count", 6, "feedback.meanRating", round(26 / 6.0, 2),
        "waitingNow.count", 6);
    assertTrue(at(a, "waitingNow.medianMinutes") instanceof Number);
    assertEquals(new JsonArray()
            .add(new JsonObject().put("reason", "no_time").put("count", 5))
            .add(new JsonObject().put("reason", "too_far").put("count", "<5"))
            .add(new JsonObject().put("reason", "not_given").put("count", "<5"))
            .add(new JsonObject().put("reason", "other").put("count", "<5")),
        at(a, "offers.declineReasons"), "free text is never shown, only counted as 'other'");
  }

  @Test
  @DisplayName("Zuid in March: continuity of companionship, sign-ups within 60 days, activity sessions held")
  void zuid() throws Exception {
    JsonObject b = wijk(figures(MARCH, admin()), B);
    assertFigures(b,
        "requests", 6, "matched.count", 6, "matched.share", 1.0,
        "timeToFirstOfferMinutes.median", 15.0, "timeToFirstOfferMinutes.p90", 15.0,
        "timeToMatchMinutes.median", 60.0, "timeToMatchMinutes.p90", 60.0,
        "escalated.count", "<5", "escalated.share", "<5",
        "resolvedInSocialBasisShare", 1.0,
        // P2..P6 and V7 (who helped in Overvecht) matched in March; P7 only in February
        "volunteers.active", 6, "volunteers.hours", "<5",
        "offers.made", 6, "offers.declined", "<5", "offers.declinedShare", "<5",
        "continuity.repeatMatches", 6, "continuity.sameVolunteerShare", round(5 / 6.0, 3),
        // Tuesdays 3..31 March (5), Thursdays 5..26 March (4), once on 15 March; not the cancelled Mondays
        "activities.sessionsHeld", 10,
        "activities.signups", 5,
        "activities.companionshipFollowedBySignup.eligible", 6,
        "activities.companionshipFollowedBySignup.share", round(5 / 6.0, 3),
        "feedback.count", "<5", "feedback.meanRating", "<5",
        "waitingNow.count", "<5", "waitingNow.medianMinutes", "<5");
    assertEquals(new JsonArray(), at(b, "offers.declineReasons"));
  }

  @Test
  @DisplayName("the total over all wijken is computed (medians, distinct volunteers), not summed")
  void total() throws Exception {
    JsonObject all = figures(MARCH, admin());
    assertEquals(10, all.getJsonArray("wijken").size());
    JsonObject total = all.getJsonObject("total");
    assertNull(total.getValue("wijk"));
    int population = AREAS.wijken().stream().mapToInt(AreaIndex.Wijk::population).sum();
    assertEquals(population, total.getInteger("population"));
    assertFigures(total,
        "requests", 16, "matched.count", 13, "matched.share", 0.813,
        // 10, 15 x6, 20, 30, ..., 80: median between the 7th and 8th, p90 at 60 + 0.7 * 10
        "timeToFirstOfferMinutes.median", 17.5, "timeToFirstOfferMinutes.p90", 67.0,
        // 60 x6, 100, ..., 700: median the 7th, p90 at 500 + 0.8 * 100
        "timeToMatchMinutes.median", 100.0, "timeToMatchMinutes.p90", 580.0,
        "escalated.count", 5, "escalated.share", 0.313,
        "referred.count", "<5", "resolvedInSocialBasisShare", round(13 / 14.0, 3),
        "volunteers.active", 12, "volunteers.per1000Residents", round(12000.0 / population, 2),
        "volunteers.hours", 11.0,
        "offers.made", 25, "offers.declined", 9, "offers.declinedShare", 0.36,
        "continuity.repeatMatches", 6, "continuity.sameVolunteerShare", round(5 / 6.0, 3),
        "activities.sessionsHeld", 10, "activities.signups", 5,
        "activities.companionshipFollowedBySignup.eligible", 10,
        "activities.companionshipFollowedBySignup.share", 0.5,
        "feedback.count", 8, "feedback.meanRating", 4.0,
        "waitingNow.count", 6);
    assertEquals("2026-03-01", all.getJsonObject("period").getString("from"));
    assertNull(all.getValue("kind"));
    assertEquals(new JsonObject().put("threshold", 5).put("marker", "<5"), all.getJsonObject("suppression"));
  }

  @Test
  @DisplayName("a wijk without any activity shows every count as <5 and every derived value as <5")
  void emptyWijkIsSuppressed() throws Exception {
    JsonObject west = wijk(figures(MARCH, admin()), "WK034401");
    for (String path : List.of("requests", "matched.count", "matched.share", "timeToMatchMinutes.median",
        "timeToFirstOfferMinutes.p90", "escalated.share", "resolvedInSocialBasisShare", "volunteers.active",
        "volunteers.per1000Residents", "volunteers.hours", "offers.made", "offers.declinedShare",
        "continuity.sameVolunteerShare", "feedback.meanRating", "waitingNow.count", "waitingNow.medianMinutes")) {
      assertEquals("<5", at(west, path), path);
    }
  }

  @Test
  @DisplayName("kind=transport: only transport requests; companionship-only figures are null")
  void kindFilter() throws Exception {
    JsonObject all = figures(MARCH + "&kind=transport&wijk=" + A, admin());
    assertEquals("transport", all.getString("kind"));
    JsonObject a = wijk(all, A);
    assertFigures(a,
        "requests", 6, "matched.count", "<5", "matched.share", "<5",
        "escalated.count", 5, "escalated.share", round(5 / 6.0, 3),
        "offers.made", 8, "offers.declined", 5, "offers.declinedShare", 0.625);
    assertNull(a.getValue("continuity"));
    assertNull(at(a, "activities.companionshipFollowedBySignup"));
    assertEquals(a.copy().put("wijk", (Object) null), all.getJsonObject("total"),
        "one wijk asked: its total is that wijk");
  }

  @Test
  @DisplayName("an ambassador reads their own wijk; another wijk is 403; without a filter they get theirs only")
  void ambassadorScope() throws Exception {
    String ambassador = ambassadorOf(A);
    JsonObject own = figures(MARCH, ambassador);
    assertEquals(1, own.getJsonArray("wijken").size());
    assertEquals(10, at(wijk(own, A), "requests"));
    assertEquals(10, at(own.getJsonObject("total"), "requests"));

    var other = get("/v1/figures" + MARCH + "&wijk=" + B, ambassador);
    assertProblem(other, 403, "forbidden");
    app.assertMatchesContract("getFigures", other);
    assertProblem(get("/v1/figures/export" + MARCH + "&wijk=" + B, ambassador), 403, "forbidden");
    assertProblem(get("/v1/figures/series" + MARCH + "&wijk=" + B, ambassador), 403, "forbidden");
    assertProblem(get("/v1/figures/waiting?wijk=" + B, ambassador), 403, "forbidden");

    JsonObject two = figures(MARCH, ambassadorOf(A, B));
    assertEquals(List.of(A, B), two.getJsonArray("wijken").stream()
        .map(w -> ((JsonObject) w).getJsonObject("wijk").getString("code")).toList());
    assertEquals(16, at(two.getJsonObject("total"), "requests"));
  }

  @Test
  @DisplayName("residents, volunteers, ambassadors without a wijk and anonymous callers read no figures")
  void noAccess() throws Exception {
    assertProblem(get("/v1/figures" + MARCH, app.token(Role.RESIDENT)), 403, "forbidden");
    assertProblem(get("/v1/figures" + MARCH, app.token(Role.VOLUNTEER, Role.ORGANISER)), 403, "forbidden");
    assertProblem(get("/v1/figures" + MARCH, ambassadorOf()), 403, "forbidden");
    assertProblem(get("/v1/figures" + MARCH, null), 401, "unauthorized");
    assertProblem(get("/v1/figures/wijken", null), 401, "unauthorized");
  }

  @Test
  @DisplayName("bad filters are problem+json naming the parameter")
  void badInput() throws Exception {
    String token = admin();
    assertProblem(get("/v1/figures?kind=boat", token), 400, "validation-failed", "kind");
    assertProblem(get("/v1/figures?from=1-3-2026", token), 400, "validation-failed", "from");
    assertProblem(get("/v1/figures?wijk=Overvecht", token), 400, "validation-failed", "wijk");
    assertProblem(get("/v1/figures/series?interval=day", token), 400, "validation-failed", "interval");
    assertProblem(get("/v1/figures/waiting?limit=0", token), 400, "validation-failed", "limit");
    assertProblem(get("/v1/figures?from=2026-02-30", token), 400, "validation-failed", "from");
    var reversed = get("/v1/figures?from=2026-03-31&to=2026-03-01", token);
    assertProblem(reversed, 422, "invalid-input", "to");
    app.assertMatchesContract("getFigures", reversed);
    assertProblem(get("/v1/figures?from=2020-01-01&to=2026-01-01", token), 422, "invalid-input", "from");
    assertProblem(get("/v1/figures?wijk=WK999999", token), 422, "invalid-input", "wijk");
  }

  @Test
  @DisplayName("the CSV holds exactly the JSON's values, one measure per line, <5 included")
  void csv() throws Exception {
    String token = admin();
    JsonObject json = figures(MARCH, token);
    HttpResponse<Buffer> response = get("/v1/figures/export" + MARCH, token);
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("exportFigures", response);
    assertTrue(response.getHeader("Content-Type").startsWith("text/csv"));
    assertTrue(response.getHeader("Content-Disposition").contains("omzien-figures-2026-03-01-2026-03-31.csv"));
    String[] lines = response.bodyAsString().split("\r\n");
    assertEquals(FiguresCsv.HEADER, lines[0]);
    Map<String, String> values = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      // The name may be quoted and contain commas; the last two fields never do.
      String[] tail = line.substring(line.lastIndexOf(',', line.lastIndexOf(',') - 1) + 1).split(",");
      values.put(line.substring(0, line.indexOf(',')) + "|" + tail[0], tail[1]);
      assertTrue(line.contains(",2026-03-01,2026-03-31,all,"), line);
    }
    JsonObject a = wijk(json, A);
    for (String path : List.of("requests", "matched.share", "timeToMatchMinutes.p90", "referred.count",
        "volunteers.per1000Residents", "offers.declinedShare", "activities.companionshipFollowedBySignup.share",
        "feedback.meanRating", "population")) {
      assertEquals(String.valueOf(at(a, path)), values.get(A + "|" + path), path);
    }
    assertEquals("5", values.get(A + "|offers.declineReasons.no_time"));
    assertEquals("<5", values.get(A + "|offers.declineReasons.other"));
    assertEquals("0.833", values.get(B + "|continuity.sameVolunteerShare"));
    assertEquals("16", values.get("total|requests"));
    assertFalse(response.bodyAsString().contains("Ik ken Jan"), "free text never leaves the database");
  }

  @Test
  @DisplayName("the monthly series counts the requests of each month; empty months are <5")
  void series() throws Exception {
    HttpResponse<Buffer> response = get("/v1/figures/series?from=2026-02-01&to=2026-04-30&wijk=" + A, admin());
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("getFigureSeries", response);
    JsonArray points = response.bodyAsJsonObject().getJsonArray("points");
    assertEquals(List.of("2026-02-01", "2026-03-01", "2026-04-01"),
        points.stream().map(p -> ((JsonObject) p).getString("start")).toList());
    JsonObject march = points.getJsonObject(1);
    assertEquals(10, march.getInteger("requests"));
    assertEquals(0.7, march.getDouble("matchedShare"));
    assertEquals(400.0, at(march, "timeToMatchMinutes.median"));
    assertEquals("<5", points.getJsonObject(0).getValue("requests"), "one February request in Overvecht");
    assertEquals(6, points.getJsonObject(2).getInteger("requests"), "5 open + the 1 April request");

    HttpResponse<Buffer> weekly = get("/v1/figures/series?from=2026-03-01&to=2026-03-31&interval=week", admin());
    assertEquals(200, weekly.statusCode(), weekly::bodyAsString);
    JsonArray weeks = weekly.bodyAsJsonObject().getJsonArray("points");
    assertEquals("2026-02-23", weeks.getJsonObject(0).getString("start"), "weeks start on Monday");
    assertEquals(6, weeks.size());
  }

  @Test
  @DisplayName("the waiting list shows the wijk's open, offered and escalated requests, longest waiting first")
  void waiting() throws Exception {
    HttpResponse<Buffer> response = get("/v1/figures/waiting", ambassadorOf(A));
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("listWaitingRequests", response);
    JsonArray items = response.bodyAsJsonObject().getJsonArray("items");
    List<String> expected = new java.util.ArrayList<>();
    expected.add(fixture.requestsA.get(7).toString());
    fixture.waitingA.forEach(id -> expected.add(id.toString()));
    assertEquals(expected, items.stream().map(i -> ((JsonObject) i).getString("requestId")).toList());
    assertEquals("escalated", items.getJsonObject(0).getString("status"));
    assertEquals(A, items.getJsonObject(0).getJsonObject("wijk").getString("code"));
    assertTrue(items.getJsonObject(0).getLong("waitingMinutes") > items.getJsonObject(1).getLong("waitingMinutes"));

    JsonObject limited = get("/v1/figures/waiting?limit=2", ambassadorOf(A)).bodyAsJsonObject();
    assertEquals(2, limited.getJsonArray("items").size());
    assertTrue(limited.getBoolean("truncated"));
  }

  @Test
  @DisplayName("the map gets all ten wijk polygons, marked with what the caller may read")
  void shapes() throws Exception {
    HttpResponse<Buffer> response = get("/v1/figures/wijken", ambassadorOf(A));
    assertEquals(200, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract("getWijkShapes", response);
    JsonArray wijken = response.bodyAsJsonObject().getJsonArray("wijken");
    assertEquals(10, wijken.size());
    for (Object item : wijken) {
      JsonObject w = (JsonObject) item;
      assertEquals(w.getString("code").equals(A), w.getBoolean("inScope"), w.getString("code"));
      assertTrue(w.getJsonArray("rings").getJsonArray(0).size() >= 4);
    }
  }
}
