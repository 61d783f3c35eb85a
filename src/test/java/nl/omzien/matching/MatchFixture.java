package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.http.Json;
import nl.omzien.testing.TestApp;

/**
 * People and requests for matching tests, made through the API (as the app would). The demo's volunteers are
 * removed first, so every candidate in a test is one the test placed.
 */
public final class MatchFixture {
  /** Vleuterweide, in the west; going east from here stays in Utrecht for 10 km (0.0147 degrees is 1 km). */
  public static final double LAT = 52.09;
  public static final double LON = 5.02;
  public static final double KM = 0.0147;

  public final TestApp app;

  /** A fixture on a fresh app: the demo's volunteers are removed. */
  public MatchFixture(TestApp app) throws Exception {
    this.app = app;
    sql("delete from volunteer_profile");
    app.app().matcher().volunteers().reload().await(30, TimeUnit.SECONDS);
  }

  /**
   * Before each test: no requests (so no weekly load or offers carry over) and no volunteers but the test's own,
   * with the matching index emptied at once (not only when the NOTIFY arrives).
   */
  public void reset() throws Exception {
    sql("delete from help_request");
    sql("delete from volunteer_profile");
    app.app().matcher().volunteers().reload().await(30, TimeUnit.SECONDS);
    tasksHeard();
  }

  /** Waits until the task ledger has heard every change committed so far (it hears them asynchronously). */
  public void tasksHeard() throws Exception {
    app.app().matcher().tasks().sync().await(30, TimeUnit.SECONDS);
  }

  private MatchFixture(TestApp app, boolean keep) {
    this.app = app;
  }

  /** A fixture on an app whose database another fixture already prepared (a second instance, a restart). */
  public static MatchFixture on(TestApp app) {
    return new MatchFixture(app, true);
  }

  public record Person(UUID id, String token) {
  }

  /** What a volunteer offers; defaults: car and bike, 10 km, free all week, Dutch, cap 3. */
  public static final class Profile {
    double travelKm = 10;
    List<String> transport = List.of("car", "bike");
    List<String> skills = List.of();
    List<String> languages = List.of("nl");
    String vogIssuedOn = null;
    int weeklyCap = 3;
    boolean paused = false;
    boolean allWeek = true;

    public Profile transport(String... t) {
      transport = List.of(t);
      return this;
    }

    public Profile skills(String... s) {
      skills = List.of(s);
      return this;
    }

    public Profile languages(String... l) {
      languages = List.of(l);
      return this;
    }

    public Profile vog(String date) {
      vogIssuedOn = date;
      return this;
    }

    public Profile cap(int cap) {
      weeklyCap = cap;
      return this;
    }

    public Profile paused() {
      paused = true;
      return this;
    }

    public Profile travelKm(double km) {
      travelKm = km;
      return this;
    }

    public Profile neverFree() {
      allWeek = false;
      return this;
    }
  }

  public static Profile profile() {
    return new Profile();
  }

  /** A volunteer {@code kmEast} km east of the base point. */
  public Person volunteer(String name, double kmEast, Profile p) throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.VOLUNTEER), Set.of());
    assertEquals(200, send("PUT", "/v1/me", token, new JsonObject().put("displayName", name + " Jansen"))
        .statusCode());
    JsonArray slots = new JsonArray();
    for (int day = 1; day <= 7 && p.allWeek; day++) {
      slots.add(new JsonObject().put("dayOfWeek", day).put("startTime", "00:00").put("endTime", "23:59"));
    }
    if (!p.allWeek) {
      slots.add(new JsonObject().put("dayOfWeek", 1).put("startTime", "03:00").put("endTime", "03:30"));
    }
    JsonObject body = new JsonObject()
        .put("location", point(LAT, LON + kmEast * KM))
        .put("travelKm", p.travelKm)
        .put("transport", new JsonArray(p.transport))
        .put("skills", new JsonArray(p.skills))
        .put("languages", new JsonArray(p.languages))
        .put("vogIssuedOn", p.vogIssuedOn)
        .put("weeklyCap", p.weeklyCap)
        .put("paused", p.paused)
        .put("availability", slots);
    HttpResponse<Buffer> put = send("PUT", "/v1/me/volunteer", token, body);
    assertEquals(200, put.statusCode(), put::bodyAsString);
    return new Person(id, token);
  }

  /** A resident living at the base point (plus {@code kmEast}). */
  public Person resident(String name, double kmEast) throws Exception {
    UUID id = UUID.randomUUID();
    String token = app.token(id, Set.of(Role.RESIDENT), Set.of());
    assertEquals(200, send("PUT", "/v1/me", token, new JsonObject().put("displayName", name + " de Vries")
        .put("phone", "+31301234567")).statusCode());
    HttpResponse<Buffer> home = send("PUT", "/v1/me/home", token, new JsonObject()
        .put("address", "Tigrisdreef 12, 3561 Utrecht").put("location", point(LAT, LON + kmEast * KM)));
    assertEquals(200, home.statusCode(), home::bodyAsString);
    return new Person(id, token);
  }

  public Person ambassador(String... wijken) {
    UUID id = UUID.randomUUID();
    return new Person(id, app.token(id, Set.of(Role.AMBASSADOR), Set.of(wijken)));
  }

  public static JsonObject point(double lat, double lon) {
    return new JsonObject().put("lat", lat).put("lon", lon);
  }

  /** One window starting {@code hoursAhead} from now, {@code hours} long. */
  public static JsonArray window(double hoursAhead, int hours) {
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes((long) (hoursAhead * 60)).withNano(0);
    return new JsonArray().add(new JsonObject().put("start", Json.dateTime(start))
        .put("end", Json.dateTime(start.plusHours(hours))));
  }

  /** A ride from the base point (plus {@code kmEast}) to the UMC, two days ahead. */
  public static JsonObject ride(double kmEast, String... mobility) {
    return ride(kmEast, window(48, 3), mobility);
  }

  public static JsonObject ride(double kmEast, JsonArray windows, String... mobility) {
    String start = windows.getJsonObject(0).getString("start");
    return new JsonObject()
        .put("kind", "transport")
        .put("urgency", "normal")
        .put("timeWindows", windows)
        .put("note", "Graag rustig rijden, ik ben wat slecht ter been")
        .put("transport", new JsonObject()
            .put("pickup", new JsonObject().put("address", "Tigrisdreef 12, 3561 Utrecht")
                .put("location", point(LAT, LON + kmEast * KM)))
            .put("destination", new JsonObject().put("name", "UMC Utrecht").put("address", "Heidelberglaan 100")
                .put("location", point(52.0873, 5.1797)))
            .put("appointmentAt", Json.dateTime(OffsetDateTime.parse(start).plusMinutes(45)))
            .put("returnTrip", true)
            .put("mobility", new JsonArray(List.of(mobility))));
  }

  public static JsonObject respite(String... requiredExperience) {
    return new JsonObject()
        .put("kind", "respite")
        .put("urgency", "normal")
        .put("timeWindows", window(72, 4))
        .put("respite", new JsonObject().put("durationMinutes", 180)
            .put("needs", new JsonArray().add("dementia"))
            .put("requiredExperience", new JsonArray(List.of(requiredExperience))));
  }

  public static JsonObject visit(String... languages) {
    return new JsonObject()
        .put("kind", "companionship")
        .put("urgency", "low")
        .put("timeWindows", window(96, 3))
        .put("companionship", new JsonObject().put("activity", "visit")
            .put("languages", new JsonArray(List.of(languages))));
  }

  /** Creates a request and returns its JSON (status 201 asserted). */
  public JsonObject ask(Person resident, JsonObject body) throws Exception {
    HttpResponse<Buffer> created = send("POST", "/v1/requests", resident.token(), body);
    assertEquals(201, created.statusCode(), created::bodyAsString);
    return created.bodyAsJsonObject();
  }

  public HttpResponse<Buffer> send(String method, String path, String token, JsonObject body) throws Exception {
    var request = app.client().request(HttpMethod.valueOf(method), path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await(20, TimeUnit.SECONDS);
  }

  /** The volunteers with an offer for a request, in the order asked. */
  public List<UUID> offered(String requestId) throws Exception {
    List<UUID> ids = new ArrayList<>();
    for (Row row : rows("select volunteer_id from offer where request_id = $1 order by created_at, id",
        UUID.fromString(requestId))) {
      ids.add(row.getUUID("volunteer_id"));
    }
    return ids;
  }

  /** The pending offer id of a volunteer for a request. */
  public UUID offerOf(String requestId, Person volunteer) throws Exception {
    return rows("select id from offer where request_id = $1 and volunteer_id = $2", UUID.fromString(requestId),
        volunteer.id()).get(0).getUUID("id");
  }

  public String status(String requestId) throws Exception {
    return rows("select status from help_request where id = $1", UUID.fromString(requestId)).get(0)
        .getString("status");
  }

  /** Lets the round's time pass and runs what is then due. */
  public void roundTimePasses(String requestId) throws Exception {
    sql("update help_request set next_round_at = now() - interval '1 second' where id = $1", UUID.fromString(requestId));
    app.app().matcher().runDue(UUID.fromString(requestId)).await(20, TimeUnit.SECONDS);
  }

  /** An offered request of this resident, inserted in SQL (no round, no timer, no offers). */
  public void offeredRequest(UUID id, UUID resident) throws Exception {
    sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at) values ($1, $2, $2, 'respite', 'offered', 'normal', '{}', 52.09, 5.02, now())",
        id, resident);
  }

  public long count(String sql, Object... params) throws Exception {
    return rows(sql, params).get(0).getLong(0);
  }

  public List<Row> rows(String sql, Object... params) throws Exception {
    List<Row> out = new ArrayList<>();
    app.app().database().pool().preparedQuery(sql).execute(Tuple.from(params)).await(20, TimeUnit.SECONDS)
        .forEach(out::add);
    return out;
  }

  public void sql(String sql, Object... params) throws Exception {
    app.app().database().pool().preparedQuery(sql).execute(Tuple.from(params)).await(20, TimeUnit.SECONDS);
  }
}
