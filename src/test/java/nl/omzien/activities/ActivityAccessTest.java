package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import nl.omzien.activities.ActivityFixture.Org;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Who may do what with organisations, venues, activities and sign-ups")
@ExtendWith(BlockedThreadWatch.class)
class ActivityAccessTest {
  /** The callers of the matrix. */
  enum Who { RESIDENT, VOLUNTEER, ORGANISER_OF_THIS, ORGANISER_OF_OTHER, AMBASSADOR, ADMIN, ANONYMOUS }

  private static TestApp app;
  private static ActivityFixture fx;
  private static Org mine;
  private static Org other;
  private static String activityId;
  private static String toCancelId;
  private static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("access");
    fx = new ActivityFixture(app);
    mine = fx.organisation("Buurtcentrum Eigen", ActivityFixture.OVERVECHT_LAT, ActivityFixture.OVERVECHT_LON);
    other = fx.organisation("Buurtcentrum Ander", 52.0591, 5.1370);
    activityId = fx.createActivity(mine, ActivityFixture.weekly(mine.venueId(), DayOfWeek.MONDAY, 500))
        .getString("activityId");
    toCancelId = fx.createActivity(mine, ActivityFixture.weekly(mine.venueId(), DayOfWeek.MONDAY, 5))
        .getString("activityId");
    TOKENS.put(Who.RESIDENT, app.token(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of()));
    TOKENS.put(Who.VOLUNTEER, app.token(Role.VOLUNTEER));
    TOKENS.put(Who.ORGANISER_OF_THIS, mine.organiser());
    TOKENS.put(Who.ORGANISER_OF_OTHER, other.organiser());
    TOKENS.put(Who.AMBASSADOR, app.token(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of("WK034403")));
    TOKENS.put(Who.ADMIN, fx.admin);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** One row of the matrix: an operation and the status each caller gets. */
  private record Row(String operationId, HttpMethod method, Supplier<String> path, Supplier<Object> body,
                     Map<Who, Integer> expected) {
  }

  private static Map<Who, Integer> statuses(int resident, int volunteer, int organiserOfThis, int organiserOfOther,
                                            int ambassador, int admin) {
    Map<Who, Integer> map = new EnumMap<>(Who.class);
    map.put(Who.RESIDENT, resident);
    map.put(Who.VOLUNTEER, volunteer);
    map.put(Who.ORGANISER_OF_THIS, organiserOfThis);
    map.put(Who.ORGANISER_OF_OTHER, organiserOfOther);
    map.put(Who.AMBASSADOR, ambassador);
    map.put(Who.ADMIN, admin);
    map.put(Who.ANONYMOUS, 401);
    return map;
  }

  private static String orgPath() {
    return "/v1/organisations/" + mine.id();
  }

  private static List<Row> rows() {
    Supplier<Object> none = () -> null;
    Supplier<Object> activity = () -> ActivityFixture.weekly(mine.venueId(), DayOfWeek.MONDAY, 500);
    String date = ActivityFixture.firstSession(DayOfWeek.MONDAY).toString();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("createOrganisation", HttpMethod.POST, () -> "/v1/organisations",
        () -> new JsonObject().put("name", "Vrijwilligerscentrale").put("kind", "partner"),
        statuses(403, 403, 403, 403, 403, 201)));
    rows.add(new Row("listOrganisations", HttpMethod.GET, () -> "/v1/organisations", none,
        statuses(403, 403, 200, 200, 403, 200)));
    rows.add(new Row("addOrganisationMember", HttpMethod.PUT, () -> orgPath() + "/members/" + UUID.randomUUID(), none,
        statuses(403, 403, 403, 403, 403, 204)));
    rows.add(new Row("removeOrganisationMember", HttpMethod.DELETE, () -> orgPath() + "/members/" + UUID.randomUUID(),
        none, statuses(403, 403, 403, 403, 403, 204)));
    rows.add(new Row("createVenue", HttpMethod.POST, () -> orgPath() + "/venues",
        () -> new JsonObject().put("name", "Zaal 2").put("lat", 52.1164).put("lon", 5.1015),
        statuses(403, 403, 201, 404, 403, 403)));
    rows.add(new Row("listVenues", HttpMethod.GET, () -> orgPath() + "/venues", none,
        statuses(403, 403, 200, 404, 403, 403)));
    rows.add(new Row("createActivity", HttpMethod.POST, () -> orgPath() + "/activities", activity,
        statuses(403, 403, 201, 404, 403, 403)));
    rows.add(new Row("listOrganisationActivities", HttpMethod.GET, () -> orgPath() + "/activities", none,
        statuses(403, 403, 200, 404, 403, 403)));
    rows.add(new Row("updateActivity", HttpMethod.PUT, () -> orgPath() + "/activities/" + activityId, activity,
        statuses(403, 403, 200, 404, 403, 403)));
    rows.add(new Row("updateActivity", HttpMethod.PUT,
        () -> "/v1/organisations/" + other.id() + "/activities/" + activityId,
        () -> ActivityFixture.weekly(other.venueId(), DayOfWeek.MONDAY, 500),
        statuses(403, 403, 404, 404, 403, 403)));
    rows.add(new Row("createActivity", HttpMethod.POST, () -> "/v1/organisations/" + other.id() + "/activities",
        activity, statuses(403, 403, 404, 422, 403, 403)));
    rows.add(new Row("getActivity", HttpMethod.GET, () -> "/v1/activities/" + activityId, none,
        statuses(200, 200, 200, 200, 200, 200)));
    rows.add(new Row("listNearbyActivities", HttpMethod.GET,
        () -> "/v1/activities/nearby?lat=52.1164&lon=5.1015", none, statuses(200, 200, 200, 200, 200, 200)));
    rows.add(new Row("createSignup", HttpMethod.POST, () -> "/v1/activities/" + activityId + "/signups",
        () -> new JsonObject().put("date", date), statuses(201, 403, 403, 403, 403, 403)));
    rows.add(new Row("listMySignups", HttpMethod.GET, () -> "/v1/me/signups", none,
        statuses(200, 403, 403, 403, 403, 403)));
    rows.add(new Row("cancelActivity", HttpMethod.POST, () -> orgPath() + "/activities/" + toCancelId + "/cancel", none,
        statuses(403, 403, 200, 404, 403, 403)));
    return rows;
  }

  @TestFactory
  @DisplayName("each operation answers each caller as the matrix says, with problem+json for refusals")
  Stream<DynamicTest> matrix() {
    return rows().stream().flatMap(row -> row.expected().entrySet().stream()
        .map(entry -> DynamicTest.dynamicTest(row.operationId() + " " + row.path().get() + " as "
            + entry.getKey().name().toLowerCase() + " -> " + entry.getValue(), () -> check(row, entry.getKey(),
            entry.getValue()))));
  }

  private static void check(Row row, Who who, int status) throws Exception {
    var response = fx.send(row.method(), row.path().get(), TOKENS.get(who), row.body().get());
    if (status >= 400) {
      fx.problem(response, status, row.operationId());
    } else {
      fx.ok(response, status, row.operationId());
    }
  }

  @TestFactory
  @DisplayName("a sign-up can be cancelled by its resident only; other residents get 404, other roles 403")
  Stream<DynamicTest> cancelSignupMatrix() throws Exception {
    String owner = TOKENS.get(Who.RESIDENT);
    String date = ActivityFixture.firstSession(DayOfWeek.MONDAY).plusWeeks(1).toString();
    String signupId = fx.ok(fx.send(HttpMethod.POST, "/v1/activities/" + activityId + "/signups", owner,
        new JsonObject().put("date", date)), 201, "createSignup").getString("signupId");
    String path = "/v1/signups/" + signupId;
    Map<String, Integer> expected = new java.util.LinkedHashMap<>();
    expected.put("another resident", 404);
    for (Who who : List.of(Who.VOLUNTEER, Who.ORGANISER_OF_THIS, Who.AMBASSADOR, Who.ADMIN, Who.ANONYMOUS)) {
      expected.put(who.name().toLowerCase(), who == Who.ANONYMOUS ? 401 : 403);
    }
    expected.put("resident", 200);
    return expected.entrySet().stream().map(entry -> DynamicTest.dynamicTest("cancelSignup as " + entry.getKey()
        + " -> " + entry.getValue(), () -> {
          String token = switch (entry.getKey()) {
            case "another resident" -> app.token(Role.RESIDENT);
            case "resident" -> owner;
            default -> TOKENS.get(Who.valueOf(entry.getKey().toUpperCase()));
          };
          var response = fx.send(HttpMethod.DELETE, path, token, null);
          if (entry.getValue() >= 400) {
            fx.problem(response, entry.getValue(), "cancelSignup");
          } else {
            assertEquals("cancelled", fx.ok(response, 200, "cancelSignup").getString("status"));
          }
        }));
  }

  @TestFactory
  @DisplayName("an organiser sees only their own organisations; an admin sees all")
  Stream<DynamicTest> organisationVisibility() {
    return Stream.of(
        DynamicTest.dynamicTest("organiser of this", () -> assertEquals(List.of(mine.id().toString()),
            orgIds(mine.organiser()))),
        DynamicTest.dynamicTest("organiser of other", () -> assertEquals(List.of(other.id().toString()),
            orgIds(other.organiser()))),
        DynamicTest.dynamicTest("admin", () -> assertTrue(orgIds(fx.admin).containsAll(
            List.of(mine.id().toString(), other.id().toString())))));
  }

  private static List<String> orgIds(String token) throws Exception {
    return fx.ok(fx.send(HttpMethod.GET, "/v1/organisations", token, null), 200, "listOrganisations")
        .getJsonArray("items").stream().map(JsonObject.class::cast).map(o -> o.getString("organisationId")).toList();
  }
}
