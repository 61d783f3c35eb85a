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
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.http.Json;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Companionship: the same volunteer every week, one visit re-matched alone, group activities first")
@ExtendWith(BlockedThreadWatch.class)
class CompanionshipTest {
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("companionship", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** A weekly visit, 14:00-16:00 Amsterdam time, from the given date's weekday on. */
  static JsonObject weeklyVisit(LocalDate first) {
    ZonedDateTime start = first.atTime(14, 0).atZone(AMSTERDAM);
    return new JsonObject()
        .put("kind", "companionship")
        .put("urgency", "normal")
        .put("timeWindows", new JsonArray().add(new JsonObject()
            .put("start", Json.dateTime(start.toOffsetDateTime()))
            .put("end", Json.dateTime(start.plusHours(2).toOffsetDateTime()))))
        .put("companionship", new JsonObject().put("activity", "visit")
            .put("languages", new JsonArray().add("nl"))
            .put("recurrence", new JsonObject().put("dayOfWeek", first.getDayOfWeek().getValue())
                .put("startTime", "14:00").put("endTime", "16:00")));
  }

  @Test
  @DisplayName("a weekly visit keeps its volunteer on every date; when they cancel one date, only that one is re-matched")
  void recurringContinuity() throws Exception {
    var anna = f.volunteer("Anna", 0.2, profile());
    var bram = f.volunteer("Bram", 0.4, profile());
    var resident = f.resident("Ria", 0);
    LocalDate first = LocalDate.now(AMSTERDAM).plusDays(4);
    String id = f.ask(resident, weeklyVisit(first)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, anna) + "/accept", anna.token(), null)
        .statusCode());

    HttpResponse<Buffer> planned = f.send("GET", "/v1/requests/" + id + "/occurrences", resident.token(), null);
    assertEquals(200, planned.statusCode(), planned::bodyAsString);
    app.assertMatchesContract("listOccurrences", planned);
    JsonArray visits = planned.bodyAsJsonObject().getJsonArray("items");
    assertEquals(Matcher.OCCURRENCES_PLANNED, visits.size());
    for (Object visit : visits) {
      assertEquals("Anna", ((JsonObject) visit).getString("volunteerFirstName"));
      assertEquals(LocalTime.of(14, 0), ZonedDateTime.parse(((JsonObject) visit).getString("startsAt"))
          .withZoneSameInstant(AMSTERDAM).toLocalTime(), "14:00 local, also across a DST change");
    }

    LocalDate second = first.plusWeeks(1);
    HttpResponse<Buffer> cancelled = f.send("POST", "/v1/requests/" + id + "/occurrences/" + second + "/cancel",
        anna.token(), new JsonObject().put("reason", "Op vakantie"));
    assertEquals(200, cancelled.statusCode(), cancelled::bodyAsString);
    app.assertMatchesContract("cancelOccurrence", cancelled);
    String replacement = cancelled.bodyAsJsonObject().getString("replacementRequestId");
    assertEquals(List.of(bram.id()), f.offered(replacement), "Bram is asked for that one visit, Anna is not");
    assertEquals(1, f.count("select count(*) from help_request_window where request_id = $1",
        UUID.fromString(replacement)));

    JsonArray after = f.send("GET", "/v1/requests/" + id + "/occurrences", anna.token(), null).bodyAsJsonObject()
        .getJsonArray("items");
    assertEquals("rematching", after.getJsonObject(1).getString("status"));
    assertEquals(replacement, after.getJsonObject(1).getString("replacementRequestId"));
    for (int i = 0; i < after.size(); i++) {
      if (i != 1) {
        assertEquals("planned", after.getJsonObject(i).getString("status"));
        assertEquals("Anna", after.getJsonObject(i).getString("volunteerFirstName"));
      }
    }
    assertEquals("matched", f.status(id), "the weekly request itself stays with Anna");

    assertProblem(f.send("POST", "/v1/requests/" + id + "/occurrences/" + second + "/cancel", anna.token(),
        new JsonObject().put("reason", "again")), 404, "not-found");
    assertProblem(f.send("POST", "/v1/requests/" + id + "/occurrences/" + first.plusWeeks(2) + "/cancel",
        bram.token(), new JsonObject().put("reason", "not mine")), 404, "not-found");
    assertProblem(f.send("GET", "/v1/requests/" + id + "/occurrences", bram.token(), null), 404, "not-found");
    assertProblem(f.send("POST", "/v1/requests/" + id + "/occurrences/not-a-date/cancel", anna.token(),
        new JsonObject().put("reason", "x")), 400, "validation-failed");
  }

  @Test
  @DisplayName("group activities within walking distance that fit the weekly time are suggested, nearest first")
  void activitiesFirst() throws Exception {
    var resident = f.resident("Ria", 0);
    LocalDate first = LocalDate.now(AMSTERDAM).plusDays(3);
    String id = f.ask(resident, weeklyVisit(first)).getString("id");

    String admin = app.token(Role.ADMIN);
    UUID organiser = UUID.randomUUID();
    String organiserToken = app.token(organiser, Set.of(Role.ORGANISER), Set.of());
    String org = f.send("POST", "/v1/organisations", admin,
        new JsonObject().put("name", "Buurtcentrum De Meern").put("kind", "buurtcentrum")).bodyAsJsonObject()
        .getString("organisationId");
    assertEquals(204, f.send("PUT", "/v1/organisations/" + org + "/members/" + organiser, admin, null).statusCode());
    String near = venue(org, organiserToken, 0.4);
    String far = venue(org, organiserToken, 4);
    String fits = activity(org, organiserToken, near, first, "14:30", "15:30", "Breiclub");
    activity(org, organiserToken, near, first, "10:00", "11:30", "Koffieochtend");
    activity(org, organiserToken, far, first, "14:30", "15:30", "Te ver weg");

    HttpResponse<Buffer> suggested = f.send("GET", "/v1/requests/" + id + "/activities", resident.token(), null);
    assertEquals(200, suggested.statusCode(), suggested::bodyAsString);
    app.assertMatchesContract("suggestActivities", suggested);
    JsonArray items = suggested.bodyAsJsonObject().getJsonArray("items");
    List<String> ids = items.stream().map(i -> ((JsonObject) i).getString("activityId")).toList();
    assertTrue(ids.contains(fits), suggested.bodyAsString());
    assertEquals(1, ids.stream().filter(fits::equals).count());
    for (Object item : items) {
      String title = ((JsonObject) item).getString("title");
      assertFalse(title.equals("Koffieochtend") || title.equals("Te ver weg"), title + " does not fit");
    }

    String ride = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertProblem(f.send("GET", "/v1/requests/" + ride + "/activities", resident.token(), null), 409, "conflict");
    assertProblem(f.send("GET", "/v1/requests/" + id + "/activities", f.resident("Other", 1).token(), null), 404,
        "not-found");
  }

  private static String venue(String org, String token, double kmEast) throws Exception {
    HttpResponse<Buffer> created = f.send("POST", "/v1/organisations/" + org + "/venues", token, new JsonObject()
        .put("name", "Zaal " + kmEast).put("lat", MatchFixture.LAT).put("lon", MatchFixture.LON + kmEast * MatchFixture.KM));
    assertEquals(201, created.statusCode(), created::bodyAsString);
    return created.bodyAsJsonObject().getString("venueId");
  }

  private static String activity(String org, String token, String venue, LocalDate first, String from, String to,
                                 String title) throws Exception {
    JsonObject body = new JsonObject()
        .put("title", title)
        .put("description", "Samen")
        .put("category", "ontmoeting")
        .put("venueId", venue)
        .put("schedule", new JsonObject().put("kind", "weekly")
            .put("dayOfWeek", first.getDayOfWeek().name().toLowerCase(Locale.ROOT))
            .put("startTime", from).put("endTime", to)
            .put("firstDate", first.toString()).put("lastDate", first.plusMonths(3).toString()))
        .put("cost", new JsonObject().put("priceCents", 0).put("uPasDiscount", false))
        .put("accessibility", new JsonObject().put("wheelchair", true).put("hearingLoop", false))
        .put("capacity", 12);
    HttpResponse<Buffer> created = f.send("POST", "/v1/organisations/" + org + "/activities", token, body);
    assertEquals(201, created.statusCode(), created::bodyAsString);
    return created.bodyAsJsonObject().getString("activityId");
  }
}
