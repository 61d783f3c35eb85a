package nl.omzien.privacy;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
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

@DisplayName("AVG/GDPR: a copy of all my data, and erasure that keeps the figures")
@ExtendWith(BlockedThreadWatch.class)
class PrivacyTest {
  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("privacy", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  private static JsonObject mother() {
    return new JsonObject().put("displayName", "Mies Bakker").put("relationship", "parent")
        .put("home", new JsonObject().put("address", "Tigrisdreef 14, 3561 Utrecht")
            .put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON)));
  }

  private static void device(Person person, String token) throws Exception {
    HttpResponse<Buffer> device = f.send("POST", "/v1/devices", person.token(), new JsonObject().put("token", token)
        .put("platform", "android").put("appVersion", "1.4.0"));
    assertEquals(201, device.statusCode(), device::bodyAsString);
  }

  private static void signUp(Person person) throws Exception {
    UUID activity = f.rows("select id from activity where status = 'active' order by id limit 1").get(0).getUUID(0);
    JsonObject found = f.send("GET", "/v1/activities/" + activity, person.token(), null).bodyAsJsonObject();
    HttpResponse<Buffer> signup = f.send("POST", "/v1/activities/" + activity + "/signups", person.token(),
        new JsonObject().put("date", found.getJsonObject("nextOccurrence").getString("date")));
    assertEquals(201, signup.statusCode(), signup::bodyAsString);
  }

  /** A ride that started half an hour ago, done by {@code volunteer}, with both sides' feedback. */
  private static String doneRide(Person resident, Person volunteer) throws Exception {
    String id = f.ask(resident, MatchFixture.ride(0, MatchFixture.window(-0.5, 3))).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, volunteer) + "/accept", volunteer.token(), null)
        .statusCode());
    assertEquals(200, f.send("POST", "/v1/requests/" + id + "/complete", volunteer.token(),
        new JsonObject().put("hoursSpent", 2)).statusCode());
    assertEquals(201, f.send("POST", "/v1/requests/" + id + "/feedback", resident.token(),
        new JsonObject().put("rating", 5).put("comment", "Heel fijn, dank aan Henk")).statusCode());
    assertEquals(201, f.send("POST", "/v1/requests/" + id + "/feedback", volunteer.token(),
        new JsonObject().put("rating", 4).put("comment", "Mevrouw woont driehoog zonder lift")).statusCode());
    return id;
  }

  @Test
  @DisplayName("the export holds profile, home, devices, requests with history, sign-ups, feedback and cared-for people")
  void residentExport() throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person ria = f.resident("Ria", 0);
    device(ria, "fcm-token-ria-0001");
    signUp(ria);
    String ride = doneRide(ria, henk);
    assertEquals(201, f.send("POST", "/v1/me/cared-for", ria.token(), mother()).statusCode());

    HttpResponse<Buffer> export = f.send("GET", "/v1/me/export", ria.token(), null);
    assertEquals(200, export.statusCode(), export::bodyAsString);
    app.assertMatchesContract("exportMyData", export);
    JsonObject data = export.bodyAsJsonObject();
    assertEquals("Ria de Vries", data.getJsonObject("profile").getString("displayName"));
    assertEquals("Tigrisdreef 12, 3561 Utrecht", data.getJsonObject("home").getString("address"));
    assertNull(data.getValue("volunteerProfile"));
    assertEquals(1, data.getJsonArray("devices").size());
    assertFalse(export.bodyAsString().contains("fcm-token-ria"), "never the push token");
    assertEquals(1, data.getJsonArray("signups").size());
    JsonObject request = data.getJsonArray("requests").getJsonObject(0);
    assertEquals(ride, request.getJsonObject("request").getString("id"));
    assertEquals(List.of("open", "offered", "matched", "completed"), request.getJsonArray("history").stream()
        .map(c -> ((JsonObject) c).getString("to")).toList());
    assertEquals(List.of("Heel fijn, dank aan Henk"), data.getJsonArray("feedbackGiven").stream()
        .map(c -> ((JsonObject) c).getString("comment")).toList(), "only the feedback I gave");
    assertEquals("Mies Bakker", data.getJsonArray("caredFor").getJsonObject(0).getString("displayName"));
    assertFalse(export.bodyAsString().contains("Jansen"), "not the volunteer's name");
    assertEquals("attachment; filename=omzien-export.json", export.getHeader("Content-Disposition"));

    assertProblem(f.send("GET", "/v1/me/export", null, null), 401, "unauthorized");
  }

  @Test
  @DisplayName("a volunteer's export holds their profile, offers with why they were asked, and tasks with hours")
  void volunteerExport() throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person ria = f.resident("Ria", 0);
    String ride = doneRide(ria, henk);

    HttpResponse<Buffer> export = f.send("GET", "/v1/me/export", henk.token(), null);
    assertEquals(200, export.statusCode(), export::bodyAsString);
    app.assertMatchesContract("exportMyData", export);
    JsonObject data = export.bodyAsJsonObject();
    assertEquals(10.0, data.getJsonObject("volunteerProfile").getDouble("travelKm"));
    assertEquals(7, data.getJsonObject("volunteerProfile").getJsonArray("availability").size());
    JsonObject offer = data.getJsonArray("offers").getJsonObject(0);
    assertEquals(ride, offer.getString("requestId"));
    assertEquals("accepted", offer.getString("status"));
    assertNotNull(offer.getJsonObject("score").getJsonObject("parts"));
    assertEquals(2.0, data.getJsonArray("tasks").getJsonObject(0).getDouble("hoursSpent"));
    assertEquals(0, data.getJsonArray("requests").size());
    for (String other : List.of("Ria", "Tigrisdreef", "slecht ter been", "+3130")) {
      assertFalse(export.bodyAsString().contains(other), "not the resident's " + other);
    }
  }

  @Test
  @DisplayName("a resident erases their account: open requests cancelled (volunteer told), personal data gone, figures kept")
  void eraseResident() throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person ria = f.resident("Ria", 0);
    device(ria, "fcm-token-ria-0002");
    signUp(ria);
    String done = doneRide(ria, henk);
    String open = f.ask(ria, MatchFixture.ride(0)).getString("id");
    UUID offer = f.offerOf(open, henk);
    assertEquals(200, f.send("POST", "/v1/offers/" + offer + "/accept", henk.token(), null).statusCode());
    long requests = f.count("select count(*) from help_request");
    long seatsTaken = f.count("select coalesce(sum(taken), 0) from activity_occurrence");

    HttpResponse<Buffer> deleted = f.send("DELETE", "/v1/me", ria.token(), null);
    assertEquals(204, deleted.statusCode(), deleted::bodyAsString);
    app.assertMatchesContract("deleteMe", deleted);

    Row user = f.rows("select display_name, phone, external_subject, deleted_at from app_user where id = $1", ria.id())
        .get(0);
    assertEquals("", user.getString("display_name"));
    assertNull(user.getString("phone"));
    assertNotNull(user.getOffsetDateTime("deleted_at"));
    for (String table : List.of("resident_profile where user_id", "push_device where user_id",
        "push_outbox where status = 'pending' and user_id")) {
      assertEquals(0, f.count("select count(*) from " + table + " = $1", ria.id()), table);
    }
    assertEquals(0, f.count("select count(*) from activity_signup where user_id = $1 and status = 'active'", ria.id()));
    assertEquals(seatsTaken - 1, f.count("select coalesce(sum(taken), 0) from activity_occurrence"), "seat freed");

    assertEquals(requests, f.count("select count(*) from help_request"), "requests still count");
    assertEquals("cancelled", f.status(open));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1"
        + " and offer_id = $2", henk.id(), offer), "the matched volunteer is told");
    for (String id : List.of(done, open)) {
      Row r = f.rows("select note, details, lat, lon, buurt_code, status, hours_spent from help_request where id = $1",
          UUID.fromString(id)).get(0);
      assertNull(r.getString("note"));
      String details = r.getValue("details").toString();
      assertFalse(details.contains("Tigrisdreef") || details.contains("UMC") || details.contains("walker"), details);
      AreaIndex.Buurt buurt = AREAS.buurt(r.getString("buurt_code")).orElseThrow();
      assertEquals(buurt.centroid().lat(), r.getDouble("lat"), 1e-9, "the point is now the buurt's centroid");
      assertEquals(buurt.centroid().lon(), r.getDouble("lon"), 1e-9);
    }
    assertEquals(2.0, f.rows("select hours_spent::float8 from help_request where id = $1", UUID.fromString(done))
        .get(0).getDouble(0), "hours stay");
    assertEquals(2, f.count("select count(*) from feedback where request_id = $1 and comment is null and rating > 0",
        UUID.fromString(done)), "ratings stay, comments about and by her go");

    assertProblem(f.send("GET", "/v1/me", ria.token(), null), 401, "unauthorized");
    assertProblem(f.send("GET", "/v1/requests", ria.token(), null), 401, "unauthorized");
    HttpResponse<Buffer> again = f.send("DELETE", "/v1/me", ria.token(), null);
    assertProblem(again, 401, "unauthorized");
    app.assertMatchesContract("deleteMe", again);
    // The ambassador of her wijk still reads the (scrubbed) request, and it still matches the contract.
    String wijk = f.rows("select wijk_code from help_request where id = $1", UUID.fromString(done)).get(0).getString(0);
    HttpResponse<Buffer> seen = f.send("GET", "/v1/requests/" + done, f.ambassador(wijk).token(), null);
    assertEquals(200, seen.statusCode(), seen::bodyAsString);
    app.assertMatchesContract("getHelpRequest", seen);
    assertEquals(Erasure.REMOVED, seen.bodyAsJsonObject().getJsonObject("transport").getJsonObject("pickup")
        .getString("address"));
  }

  @Test
  @DisplayName("a volunteer erases their account: an upcoming task goes back to matching, done hours stay")
  void eraseVolunteer() throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person anna = f.volunteer("Anna", 0.4, profile());
    Person ria = f.resident("Ria", 0);
    String done = doneRide(ria, henk);
    String upcoming = f.ask(ria, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(upcoming, henk) + "/accept", henk.token(), null)
        .statusCode());
    assertTrue(app.app().matcher().volunteers().get(henk.id()).isPresent());

    assertEquals(204, f.send("DELETE", "/v1/me", henk.token(), null).statusCode());
    assertTrue(app.app().matcher().volunteers().get(henk.id()).isEmpty(), "gone from the matching index");
    assertEquals(0, f.count("select count(*) from volunteer_profile where user_id = $1", henk.id()));
    assertEquals("offered", f.status(upcoming), "matched again at once");
    assertTrue(f.offered(upcoming).contains(anna.id()));
    assertEquals("withdrawn", f.rows("select status from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(upcoming), henk.id()).get(0).getString(0));
    assertEquals(1, f.count("select count(*) from help_request_history where request_id = $1 and from_status = 'matched'"
        + " and to_status = 'open'", UUID.fromString(upcoming)));
    Row kept = f.rows("select volunteer_id, hours_spent::float8 from help_request where id = $1", UUID.fromString(done))
        .get(0);
    assertEquals(henk.id(), kept.getUUID(0));
    assertEquals(2.0, kept.getDouble(1));
    assertEquals(1, f.count("select count(*) from feedback where request_id = $1 and role = 'volunteer'"
        + " and author_id is null and comment is null", UUID.fromString(done)));
  }

  @Test
  @DisplayName("a carer's erasure takes the people only they cared for with them; someone with another carer stays")
  void eraseCarer() throws Exception {
    Person karin = f.resident("Karin", 2);
    Person kees = f.resident("Kees", 3);
    UUID mother = UUID.fromString(f.send("POST", "/v1/me/cared-for", karin.token(), mother()).bodyAsJsonObject()
        .getString("userId"));
    UUID aunt = UUID.fromString(f.send("POST", "/v1/me/cared-for", karin.token(), mother()
        .put("displayName", "Tante Jo").put("relationship", "family")).bodyAsJsonObject().getString("userId"));
    f.sql("insert into care_relation (carer_id, cared_for_id, relationship) values ($1, $2, 'family')", kees.id(), aunt);
    String hers = f.ask(karin, MatchFixture.visit("nl").put("onBehalfOf", mother.toString())).getString("id");

    assertEquals(204, f.send("DELETE", "/v1/me", karin.token(), null).statusCode());
    assertNotNull(f.rows("select deleted_at from app_user where id = $1", mother).get(0).getOffsetDateTime(0));
    assertEquals("cancelled", f.status(hers));
    assertNull(f.rows("select deleted_at from app_user where id = $1", aunt).get(0).getOffsetDateTime(0));
    assertEquals("Tante Jo", f.rows("select display_name from app_user where id = $1", aunt).get(0).getString(0));
    assertEquals(0, f.count("select count(*) from care_relation where carer_id = $1", karin.id()));
    HttpResponse<Buffer> keesList = f.send("GET", "/v1/me/cared-for", kees.token(), null);
    assertEquals(1, keesList.bodyAsJsonObject().getJsonArray("items").size());
    assertNotEquals(0, f.count("select count(*) from resident_profile where user_id = $1", aunt));
  }
}
