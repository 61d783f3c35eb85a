package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.TestApp;

/**
 * Calls the activities API of a running {@link TestApp} from the test thread: organisations, organisers, venues
 * and activities in a few lines, plus problem+json assertions.
 */
final class ActivityFixture {
  /** A point in Overvecht (Vechtzoom-zuid centroid). */
  static final double OVERVECHT_LAT = 52.116426;
  static final double OVERVECHT_LON = 5.101547;

  final TestApp app;
  final String admin;

  ActivityFixture(TestApp app) {
    this.app = app;
    this.admin = app.token(Role.ADMIN);
  }

  /** An organisation with one organiser (a fresh user) and one venue at the given point. */
  record Org(UUID id, UUID organiserId, String organiser, UUID venueId) {
  }

  HttpResponse<Buffer> send(HttpMethod method, String path, String token, Object body) throws Exception {
    var request = app.client().request(method, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (body == null) {
      return request.send().await(20, TimeUnit.SECONDS);
    }
    request.putHeader("Content-Type", "application/json");
    String text = body instanceof JsonObject json ? json.encode() : body.toString();
    return request.sendBuffer(Buffer.buffer(text)).await(20, TimeUnit.SECONDS);
  }

  JsonObject ok(HttpResponse<Buffer> response, int status, String operationId) throws Exception {
    assertEquals(status, response.statusCode(), response::bodyAsString);
    app.assertMatchesContract(operationId, response);
    return response.body() == null ? null : response.bodyAsJsonObject();
  }

  /** Asserts a problem+json response with this status, valid against the contract for this operation. */
  JsonObject problem(HttpResponse<Buffer> response, int status, String operationId) throws Exception {
    assertEquals(status, response.statusCode(), response::bodyAsString);
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    JsonObject problem = response.bodyAsJsonObject();
    assertEquals(status, problem.getInteger("status"));
    assertNotNull(problem.getString("type"));
    assertFalse(response.bodyAsString().contains("Exception"), "no exception names in a problem");
    app.assertMatchesContract(operationId, response);
    return problem;
  }

  UUID createOrganisation(String name) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("kind", "buurtcentrum");
    JsonObject created = ok(send(HttpMethod.POST, "/v1/organisations", admin, body), 201, "createOrganisation");
    return UUID.fromString(created.getString("organisationId"));
  }

  void addMember(UUID organisationId, UUID userId) throws Exception {
    ok(send(HttpMethod.PUT, "/v1/organisations/" + organisationId + "/members/" + userId, admin, null), 204,
        "addOrganisationMember");
  }

  UUID createVenue(UUID organisationId, String organiser, double lat, double lon) throws Exception {
    JsonObject body = new JsonObject().put("name", "Zaal").put("lat", lat).put("lon", lon);
    JsonObject venue = ok(send(HttpMethod.POST, "/v1/organisations/" + organisationId + "/venues", organiser, body),
        201, "createVenue");
    return UUID.fromString(venue.getString("venueId"));
  }

  Org organisation(String name, double lat, double lon) throws Exception {
    UUID id = createOrganisation(name);
    UUID organiserId = UUID.randomUUID();
    String organiser = app.token(organiserId, Set.of(Role.ORGANISER), Set.of());
    addMember(id, organiserId);
    return new Org(id, organiserId, organiser, createVenue(id, organiser, lat, lon));
  }

  /** A weekly activity from next week's {@code day} for half a year, 10:00-11:30. */
  static JsonObject weekly(UUID venueId, DayOfWeek day, int capacity) {
    LocalDate first = LocalDate.now(Schedule.ZONE).plusDays(1);
    return new JsonObject()
        .put("title", "Koffieochtend")
        .put("description", "Samen koffie drinken")
        .put("category", "open_inloop")
        .put("venueId", venueId.toString())
        .put("schedule", new JsonObject()
            .put("kind", "weekly")
            .put("dayOfWeek", day.name().toLowerCase(Locale.ROOT))
            .put("startTime", "10:00")
            .put("endTime", "11:30")
            .put("firstDate", first.toString())
            .put("lastDate", first.plusMonths(6).toString()))
        .put("cost", new JsonObject().put("priceCents", 150).put("uPasDiscount", true))
        .put("accessibility", new JsonObject().put("wheelchair", true).put("hearingLoop", false))
        .put("capacity", capacity);
  }

  /** The date of the first session of {@link #weekly} on {@code day}. */
  static LocalDate firstSession(DayOfWeek day) {
    return LocalDate.now(Schedule.ZONE).plusDays(1).with(TemporalAdjusters.nextOrSame(day));
  }

  JsonObject createActivity(Org org, JsonObject body) throws Exception {
    return ok(send(HttpMethod.POST, "/v1/organisations/" + org.id() + "/activities", org.organiser(), body), 201,
        "createActivity");
  }

}
