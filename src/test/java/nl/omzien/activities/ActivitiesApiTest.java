package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import nl.omzien.activities.ActivityFixture.Org;
import nl.omzien.auth.Role;
import nl.omzien.demo.DemoUsers;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Buurtcentra and activities over HTTP")
@ExtendWith(BlockedThreadWatch.class)
class ActivitiesApiTest {
  private static TestApp app;
  private static ActivityFixture fx;
  private static Org org;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("activitiesapi");
    fx = new ActivityFixture(app);
    org = fx.organisation("Buurtcentrum Test", ActivityFixture.OVERVECHT_LAT, ActivityFixture.OVERVECHT_LON);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String activities(Org o) {
    return "/v1/organisations/" + o.id() + "/activities";
  }

  private static int activityCount() throws Exception {
    return fx.ok(fx.send(HttpMethod.GET, activities(org), org.organiser(), null), 200, "listOrganisationActivities")
        .getJsonArray("items").size();
  }

  @Test
  @DisplayName("a venue's wijk and buurt are derived from its point, never typed in")
  void venueArea() throws Exception {
    var body = new JsonObject().put("name", "Wijkpunt").put("address", "Zamenhofdreef 1")
        .put("lat", ActivityFixture.OVERVECHT_LAT).put("lon", ActivityFixture.OVERVECHT_LON);
    JsonObject venue = fx.ok(fx.send(HttpMethod.POST, "/v1/organisations/" + org.id() + "/venues", org.organiser(),
        body), 201, "createVenue");
    assertEquals("WK034403", venue.getString("wijkCode"));
    assertEquals("Overvecht", venue.getString("wijkName"));
    assertEquals("BU03440331", venue.getString("buurtCode"));
    JsonObject list = fx.ok(fx.send(HttpMethod.GET, "/v1/organisations/" + org.id() + "/venues", org.organiser(), null),
        200, "listVenues");
    assertTrue(list.getJsonArray("items").stream().map(JsonObject.class::cast)
        .anyMatch(v -> v.getString("venueId").equals(venue.getString("venueId"))));
  }

  @Test
  @DisplayName("a venue outside Utrecht's buurten is refused with 422 naming lat and lon, and nothing is written")
  void venueOutsideUtrecht() throws Exception {
    String path = "/v1/organisations/" + org.id() + "/venues";
    int before = fx.ok(fx.send(HttpMethod.GET, path, org.organiser(), null), 200, "listVenues")
        .getJsonArray("items").size();
    var amsterdam = new JsonObject().put("name", "Dam").put("lat", 52.3731).put("lon", 4.8926);
    JsonObject problem = fx.problem(fx.send(HttpMethod.POST, path, org.organiser(), amsterdam), 422, "createVenue");
    assertEquals("https://omzien.nl/problems/invalid-input", problem.getString("type"));
    assertTrue(problem.getJsonArray("errors").encode().contains("/lat"));
    assertTrue(problem.getJsonArray("errors").encode().contains("/lon"));
    assertEquals(before, fx.ok(fx.send(HttpMethod.GET, path, org.organiser(), null), 200, "listVenues")
        .getJsonArray("items").size());
  }

  @Test
  @DisplayName("bad venue bodies (out-of-range, wrong type, too long, missing, derived fields) are 400 and write nothing")
  void badVenues() throws Exception {
    String path = "/v1/organisations/" + org.id() + "/venues";
    int before = fx.ok(fx.send(HttpMethod.GET, path, org.organiser(), null), 200, "listVenues")
        .getJsonArray("items").size();
    JsonObject good = new JsonObject().put("name", "Zaal").put("lat", 52.1).put("lon", 5.1);
    List<JsonObject> bad = List.of(
        good.copy().put("lat", 91),
        good.copy().put("lon", -181),
        good.copy().put("lat", "north"),
        good.copy().put("name", "x".repeat(121)),
        good.copy().put("name", ""),
        good.copy().put("name", " \t "),
        good.copy().put("address", "y".repeat(201)),
        withoutKey(good, "lon"),
        good.copy().put("wijkCode", "WK034406"));
    for (JsonObject body : bad) {
      JsonObject problem = fx.problem(fx.send(HttpMethod.POST, path, org.organiser(), body), 400, "createVenue");
      assertEquals("https://omzien.nl/problems/validation-failed", problem.getString("type"), body::encode);
    }
    assertEquals(before, fx.ok(fx.send(HttpMethod.GET, path, org.organiser(), null), 200, "listVenues")
        .getJsonArray("items").size());
  }

  @Test
  @DisplayName("a weekly activity is posted and read back with its next session in Europe/Amsterdam")
  void weeklyActivity() throws Exception {
    JsonObject created = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.TUESDAY, 30));
    assertEquals("active", created.getString("status"));
    assertEquals("Overvecht", created.getJsonObject("venue").getString("wijkName"));
    JsonObject read = fx.ok(fx.send(HttpMethod.GET, "/v1/activities/" + created.getString("activityId"),
        app.token(Role.RESIDENT), null), 200, "getActivity");
    JsonObject next = read.getJsonObject("nextOccurrence");
    assertEquals(ActivityFixture.firstSession(DayOfWeek.TUESDAY).toString(), next.getString("date"));
    ZonedDateTime start = ZonedDateTime.parse(next.getString("startsAt"));
    assertEquals(10, start.withZoneSameInstant(Schedule.ZONE).getHour());
    assertEquals(150, read.getJsonObject("cost").getInteger("priceCents"));
  }

  @Test
  @DisplayName("a one-off activity is updated, then cancelled; cancelling again is harmless and changes are refused")
  void oneOffLifecycle() throws Exception {
    JsonObject body = oneOff(3);
    JsonObject created = fx.createActivity(org, body);
    String path = activities(org) + "/" + created.getString("activityId");
    JsonObject updated = fx.ok(fx.send(HttpMethod.PUT, path, org.organiser(),
        body.copy().put("title", "Bingo").put("capacity", 50)), 200, "updateActivity");
    assertEquals("Bingo", updated.getString("title"));
    assertEquals(50, updated.getInteger("capacity"));
    JsonObject cancelled = fx.ok(fx.send(HttpMethod.POST, path + "/cancel", org.organiser(), null), 200,
        "cancelActivity");
    assertEquals("cancelled", cancelled.getString("status"));
    assertNull(cancelled.getValue("nextOccurrence"));
    fx.ok(fx.send(HttpMethod.POST, path + "/cancel", org.organiser(), null), 200, "cancelActivity");
    JsonObject refused = fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), body), 409, "updateActivity");
    assertEquals("activity-cancelled", refused.getString("code"));
    JsonObject signup = fx.problem(fx.send(HttpMethod.POST, "/v1/activities/" + created.getString("activityId")
        + "/signups", app.token(Role.RESIDENT), new JsonObject()), 409, "createSignup");
    assertEquals("activity-cancelled", signup.getString("code"));
  }

  @Test
  @DisplayName("repeating a create with the same Idempotency-Key returns the first activity with 200 and adds nothing")
  void idempotentCreate() throws Exception {
    JsonObject body = oneOff(5);
    var first = app.client().post(activities(org)).bearerTokenAuthentication(org.organiser())
        .putHeader("Idempotency-Key", "create-123456").sendJsonObject(body).await(10, TimeUnit.SECONDS);
    fx.ok(first, 201, "createActivity");
    int count = activityCount();
    var again = app.client().post(activities(org)).bearerTokenAuthentication(org.organiser())
        .putHeader("Idempotency-Key", "create-123456").sendJsonObject(body).await(10, TimeUnit.SECONDS);
    fx.ok(again, 200, "createActivity");
    assertEquals(first.bodyAsJsonObject().getString("activityId"), again.bodyAsJsonObject().getString("activityId"));
    assertEquals(count, activityCount());
    var badKey = app.client().post(activities(org)).bearerTokenAuthentication(org.organiser())
        .putHeader("Idempotency-Key", "no spaces!").sendJsonObject(body).await(10, TimeUnit.SECONDS);
    fx.problem(badKey, 400, "createActivity");
  }

  @Test
  @DisplayName("bad activity bodies are refused with 400 or 422 problem+json naming the field, and nothing is written")
  void badActivities() throws Exception {
    int before = activityCount();
    JsonObject weekly = ActivityFixture.weekly(org.venueId(), DayOfWeek.MONDAY, 10);
    JsonObject once = oneOff(2);
    List<Bad> cases = List.of(
        new Bad(400, "/capacity", weekly.copy().put("capacity", "ten")),
        new Bad(400, "/capacity", weekly.copy().put("capacity", 0)),
        new Bad(400, "/capacity", weekly.copy().put("capacity", 501)),
        new Bad(400, "property \\\"title", withoutKey(weekly, "title")),
        new Bad(400, "/title", weekly.copy().put("title", "t".repeat(121))),
        new Bad(400, "/title", weekly.copy().put("title", "   ")),
        new Bad(400, "/title", weekly.copy().put("title", "Bingo\u0007")),
        new Bad(400, "/description", weekly.copy().put("description", "d".repeat(2001))),
        new Bad(400, "/category", weekly.copy().put("category", "karaoke")),
        new Bad(400, "/status", weekly.copy().put("status", "cancelled")),
        new Bad(400, "/venueId", weekly.copy().put("venueId", "not-a-uuid")),
        new Bad(400, "/cost/priceCents", weekly.copy().put("cost", new JsonObject().put("priceCents", -1))),
        new Bad(400, "/accessibility", weekly.copy().put("accessibility", new JsonObject().put("wheelchair", true))),
        new Bad(400, "/schedule", weekly.copy().put("schedule", new JsonObject().put("kind", "monthly"))),
        new Bad(400, "/schedule", edit(weekly, s -> s.put("dayOfWeek", "funday"))),
        new Bad(400, "/schedule", edit(weekly, s -> s.put("startTime", "25:00"))),
        new Bad(422, "/schedule/endTime", edit(weekly, s -> s.put("endTime", "09:00"))),
        new Bad(422, "/schedule/lastDate", edit(weekly, s -> s.put("lastDate", "2020-01-01"))),
        new Bad(422, "/schedule/endsAt", edit(once, s -> s.put("endsAt", s.getString("startsAt")))),
        new Bad(422, "/schedule/startsAt", edit(once, s -> s.put("startsAt", "2020-01-01T10:00:00+01:00")
            .put("endsAt", "2020-01-01T11:00:00+01:00"))),
        new Bad(422, "/cost/uPasDiscount", weekly.copy().put("cost", new JsonObject().put("priceCents", 0)
            .put("uPasDiscount", true))),
        new Bad(422, "/venueId", weekly.copy().put("venueId", UUID.randomUUID().toString())));
    for (Bad bad : cases) {
      JsonObject problem = fx.problem(fx.send(HttpMethod.POST, activities(org), org.organiser(), bad.body()),
          bad.status(), "createActivity");
      JsonArray errors = problem.getJsonArray("errors");
      assertTrue(errors != null && errors.encode().contains(bad.field()),
          () -> bad.field() + " expected in " + problem.encode());
    }
    assertEquals(before, activityCount());
  }

  @Test
  @DisplayName("bad updates are refused with 4xx problem+json and leave the activity as it was")
  void badUpdates() throws Exception {
    JsonObject body = ActivityFixture.weekly(org.venueId(), DayOfWeek.TUESDAY, 12);
    JsonObject created = fx.createActivity(org, body);
    String path = activities(org) + "/" + created.getString("activityId");
    fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("organisationId",
        UUID.randomUUID().toString())), 400, "updateActivity");
    fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("capacity", 1000)), 400,
        "updateActivity");
    fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), edit(body, s -> s.put("endTime", "10:00"))), 422,
        "updateActivity");
    fx.problem(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("title", "Nieuw")
        .put("venueId", UUID.randomUUID().toString())), 422, "updateActivity");
    fx.problem(fx.send(HttpMethod.PUT, activities(org) + "/" + UUID.randomUUID(), org.organiser(), body), 404,
        "updateActivity");
    JsonObject read = fx.ok(fx.send(HttpMethod.GET, "/v1/activities/" + created.getString("activityId"),
        app.token(Role.RESIDENT), null), 200, "getActivity");
    assertEquals(created.getString("title"), read.getString("title"));
    assertEquals(12, read.getInteger("capacity"));
    assertEquals(created.getString("updatedAt"), read.getString("updatedAt"));
  }

  @Test
  @DisplayName("ids in paths must be UUIDs (400); unknown ones are 404")
  void pathIds() throws Exception {
    String resident = app.token(Role.RESIDENT);
    fx.problem(fx.send(HttpMethod.GET, "/v1/activities/42", resident, null), 400, "getActivity");
    fx.problem(fx.send(HttpMethod.GET, "/v1/activities/" + UUID.randomUUID(), resident, null), 404, "getActivity");
    fx.problem(fx.send(HttpMethod.DELETE, "/v1/signups/x", resident, null), 400, "cancelSignup");
    fx.problem(fx.send(HttpMethod.DELETE, "/v1/signups/" + UUID.randomUUID(), resident, null), 404, "cancelSignup");
    fx.problem(fx.send(HttpMethod.PUT, "/v1/organisations/" + org.id() + "/members/me", fx.admin, null), 400,
        "addOrganisationMember");
    fx.problem(fx.send(HttpMethod.GET, "/v1/organisations/nope/venues", org.organiser(), null), 400, "listVenues");
    fx.problem(fx.send(HttpMethod.POST, activities(org) + "/" + UUID.randomUUID() + "/cancel", org.organiser(), null),
        404, "cancelActivity");
  }

  @Test
  @DisplayName("bad nearby queries are 400 (contract) or 422 (rules) problem+json")
  void badNearbyQueries() throws Exception {
    String resident = app.token(Role.RESIDENT);
    List<String> contract = List.of("lon=5.1", "lat=91&lon=5.1", "lat=52.1&lon=east", "lat=52.1&lon=5.1&radius=10001",
        "lat=52.1&lon=5.1&radius=0", "lat=52.1&lon=5.1&limit=0", "lat=52.1&lon=5.1&limit=101",
        "lat=52.1&lon=5.1&category=karaoke", "lat=52.1&lon=5.1&dayOfWeek=funday", "lat=52.1&lon=5.1&timeFrom=9am",
        "lat=52.1&lon=5.1&cursor=" + "a".repeat(513));
    for (String query : contract) {
      fx.problem(fx.send(HttpMethod.GET, "/v1/activities/nearby?" + query, resident, null), 400,
          "listNearbyActivities");
    }
    JsonObject window = fx.problem(fx.send(HttpMethod.GET,
        "/v1/activities/nearby?lat=52.1&lon=5.1&timeFrom=14:00&timeTo=10:00", resident, null), 422,
        "listNearbyActivities");
    assertTrue(window.getJsonArray("errors").encode().contains("timeTo"));
    JsonObject cursor = fx.problem(fx.send(HttpMethod.GET, "/v1/activities/nearby?lat=52.1&lon=5.1&cursor=bm9wZQ",
        resident, null), 422, "listNearbyActivities");
    assertTrue(cursor.getJsonArray("errors").encode().contains("cursor"));
  }

  @Test
  @DisplayName("bad sign-ups are refused and take no seat")
  void badSignups() throws Exception {
    JsonObject weekly = fx.createActivity(org, ActivityFixture.weekly(org.venueId(), DayOfWeek.FRIDAY, 5));
    String path = "/v1/activities/" + weekly.getString("activityId") + "/signups";
    String resident = app.token(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of());
    String friday = ActivityFixture.firstSession(DayOfWeek.FRIDAY).toString();
    String thursday = ActivityFixture.firstSession(DayOfWeek.THURSDAY).toString();
    assertTrue(fx.problem(fx.send(HttpMethod.POST, path, resident, new JsonObject()), 422, "createSignup")
        .getJsonArray("errors").encode().contains("/date"));
    assertTrue(fx.problem(fx.send(HttpMethod.POST, path, resident, new JsonObject().put("date", thursday)), 422,
        "createSignup").getJsonArray("errors").encode().contains("/date"));
    fx.problem(fx.send(HttpMethod.POST, path, resident, new JsonObject().put("date", "13-05-2025")), 400,
        "createSignup");
    fx.problem(fx.send(HttpMethod.POST, path, resident, new JsonObject().put("date", friday).put("seats", 3)), 400,
        "createSignup");
    fx.problem(fx.send(HttpMethod.POST, "/v1/activities/" + UUID.randomUUID() + "/signups", resident,
        new JsonObject().put("date", friday)), 404, "createSignup");
    fx.problem(fx.send(HttpMethod.POST, "/v1/activities/not-a-uuid/signups", resident,
        new JsonObject().put("date", friday)), 400, "createSignup");
    assertEquals(0, fx.ok(fx.send(HttpMethod.GET, "/v1/me/signups", resident, null), 200, "listMySignups")
        .getJsonArray("items").size());
  }

  @Test
  @DisplayName("bad organisation bodies are 400 and unknown organisations are 404")
  void badOrganisations() throws Exception {
    for (JsonObject body : List.of(new JsonObject().put("name", "X").put("kind", "kerk"),
        new JsonObject().put("name", "X").put("kind", "partner").put("id", UUID.randomUUID().toString()),
        new JsonObject().put("kind", "partner"), new JsonObject().put("name", "n".repeat(121)).put("kind", "partner"))) {
      fx.problem(fx.send(HttpMethod.POST, "/v1/organisations", fx.admin, body), 400, "createOrganisation");
    }
    fx.problem(fx.send(HttpMethod.PUT, "/v1/organisations/" + UUID.randomUUID() + "/members/" + UUID.randomUUID(),
        fx.admin, null), 404, "addOrganisationMember");
  }

  @Test
  @DisplayName("the demo organiser Ilse runs the synthetic Overvecht buurtcentrum and its weekly activities")
  void demoData() throws Exception {
    String ilse = app.token(DemoUsers.idFor("ilse"), Set.of(Role.ORGANISER), Set.of());
    JsonArray mine = fx.ok(fx.send(HttpMethod.GET, "/v1/organisations", ilse, null), 200, "listOrganisations")
        .getJsonArray("items");
    assertEquals(1, mine.size());
    assertEquals(ActivitiesDemo.organisationIdFor("WK034403").toString(),
        mine.getJsonObject(0).getString("organisationId"));
    JsonArray items = fx.ok(fx.send(HttpMethod.GET, "/v1/organisations/" + mine.getJsonObject(0)
        .getString("organisationId") + "/activities", ilse, null), 200, "listOrganisationActivities")
        .getJsonArray("items");
    assertEquals(4, items.size());
    assertTrue(items.stream().map(JsonObject.class::cast)
        .allMatch(a -> a.getJsonObject("venue").getString("wijkCode").equals("WK034403")));
    JsonArray all = fx.ok(fx.send(HttpMethod.GET, "/v1/organisations", fx.admin, null), 200, "listOrganisations")
        .getJsonArray("items");
    assertTrue(all.size() >= 10);
  }

  private record Bad(int status, String field, JsonObject body) {
  }

  static JsonObject oneOff(int daysAhead) {
    ZonedDateTime start = ZonedDateTime.now(Schedule.ZONE).plusDays(daysAhead).withHour(14).withMinute(0)
        .withSecond(0).withNano(0);
    return ActivityFixture.weekly(org.venueId(), DayOfWeek.MONDAY, 20)
        .put("title", "Lezing")
        .put("category", "cultuur")
        .put("schedule", new JsonObject().put("kind", "once")
            .put("startsAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(start))
            .put("endsAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(start.plusHours(2))));
  }

  private static JsonObject withoutKey(JsonObject json, String key) {
    JsonObject copy = json.copy();
    copy.remove(key);
    return copy;
  }

  private static JsonObject edit(JsonObject activity, UnaryOperator<JsonObject> schedule) {
    JsonObject copy = activity.copy();
    copy.put("schedule", schedule.apply(copy.getJsonObject("schedule")));
    return copy;
  }
}
