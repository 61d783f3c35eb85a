package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.TestApp;

/**
 * A small population made through the API, so that ids in paths point at real objects: one person per role
 * (the ambassador serves Overvecht), an organisation with the organiser as member, a venue and an activity, a
 * resident with a home, a help request (a visit, offered to the world's volunteer next door), a sign-up and a
 * device. {@link #ids} holds the
 * ids by the path parameter names that take them; everything belongs to this world's people.
 */
final class World {
  static final String OVERVECHT = "WK034403";
  /** Another wijk (West), for an ambassador who has no business in Overvecht. */
  static final String WEST = "WK034401";
  static final double HOME_LAT = 52.1161;
  static final double HOME_LON = 5.1132;
  /** Text that must never show up where it does not belong (responses to others, logs). */
  final String secretAddress;
  final String secretNote;
  final String secretPhone;
  /** The FCM registration token of the resident's device. */
  final String deviceToken = "fcm-" + UUID.randomUUID();

  final Map<Role, UUID> users = new EnumMap<>(Role.class);
  final Map<Role, String> tokens = new EnumMap<>(Role.class);
  final Map<String, List<String>> ids = new LinkedHashMap<>();
  private final TestApp app;

  private World(TestApp app, String tag) {
    this.app = app;
    this.secretAddress = "Geheimstraat " + tag + ", 3561 Utrecht";
    this.secretNote = "Sleutel ligt onder de mat " + tag;
    this.secretPhone = "+3161" + String.format("%07d", Math.abs(tag.hashCode()) % 10_000_000);
  }

  /**
   * Removes the demo's volunteers, so the volunteers of the worlds built next are the ones their requests are
   * offered to (nearest, and free all week).
   */
  static void withoutDemoVolunteers(TestApp app) throws Exception {
    app.app().database().pool().query("delete from volunteer_profile").execute().await(30, TimeUnit.SECONDS);
    app.app().matcher().volunteers().reload().await(30, TimeUnit.SECONDS);
  }

  /** Builds a world whose people are all new; its ambassador serves Overvecht, where its resident lives. */
  static World build(TestApp app, String tag) throws Exception {
    return build(app, tag, OVERVECHT);
  }

  /** Builds a world whose ambassador serves {@code ambassadorWijk}; {@code tag} makes its secrets recognisable. */
  static World build(TestApp app, String tag, String ambassadorWijk) throws Exception {
    World world = new World(app, tag);
    for (Role role : Role.values()) {
      UUID id = UUID.randomUUID();
      world.users.put(role, id);
      world.tokens.put(role, app.token(id, Set.of(role), role == Role.AMBASSADOR ? Set.of(ambassadorWijk) : Set.of()));
    }
    world.signIn();
    world.populate();
    return world;
  }

  /** RFC 3339 with seconds ({@code OffsetDateTime.toString()} drops zero seconds, which the contract refuses). */
  static String iso(OffsetDateTime time) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
  }

  String token(Role role) {
    return tokens.get(role);
  }

  HttpResponse<Buffer> send(Role role, HttpMethod method, String path, Object body) throws Exception {
    var request = app.client().request(method, path).bearerTokenAuthentication(token(role));
    if (body == null) {
      return request.send().await(30, TimeUnit.SECONDS);
    }
    return request.putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body instanceof JsonObject o ? o.encode() : body.toString()))
        .await(30, TimeUnit.SECONDS);
  }

  private JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response::bodyAsString);
    return response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject();
  }

  private void remember(String name, String id) {
    ids.computeIfAbsent(name, k -> new ArrayList<>()).add(id);
  }

  /** The first request of a new person creates their user row; done here, so later requests write only their own. */
  private void signIn() throws Exception {
    for (Role role : Role.values()) {
      ok(send(role, HttpMethod.GET, "/v1/me", null), 200);
    }
  }

  private void populate() throws Exception {
    remember("userId", users.get(Role.ORGANISER).toString());
    String org = ok(send(Role.ADMIN, HttpMethod.POST, "/v1/organisations",
        new JsonObject().put("name", "Buurtcentrum Fuzz").put("kind", "buurtcentrum")), 201).getString("organisationId");
    remember("organisationId", org);
    ok(send(Role.ADMIN, HttpMethod.PUT, "/v1/organisations/" + org + "/members/" + users.get(Role.ORGANISER), null), 204);
    String venue = ok(send(Role.ORGANISER, HttpMethod.POST, "/v1/organisations/" + org + "/venues",
        new JsonObject().put("name", "De Dreef").put("address", secretAddress).put("lat", 52.116426)
            .put("lon", 5.101547)), 201).getString("venueId");
    remember("venueId", venue);
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(3).truncatedTo(ChronoUnit.HOURS);
    String activity = ok(send(Role.ORGANISER, HttpMethod.POST, "/v1/organisations/" + org + "/activities",
        new JsonObject().put("title", "Koffieochtend").put("category", "open_inloop").put("venueId", venue)
            .put("schedule", new JsonObject().put("kind", "once").put("startsAt", iso(start))
                .put("endsAt", iso(start.plusMinutes(90))))
            .put("cost", new JsonObject().put("priceCents", 0))
            .put("accessibility", new JsonObject().put("wheelchair", true).put("hearingLoop", false))
            .put("capacity", 30)), 201).getString("activityId");
    remember("activityId", activity);

    ok(send(Role.RESIDENT, HttpMethod.PUT, "/v1/me", new JsonObject().put("displayName", "Ria")
        .put("phone", secretPhone)), 200);
    ok(send(Role.RESIDENT, HttpMethod.PUT, "/v1/me/home", new JsonObject().put("address", secretAddress)
        .put("location", new JsonObject().put("lat", HOME_LAT).put("lon", HOME_LON))), 200);
    // The volunteer lives next door and is free all week, so the resident's visit is offered to them.
    JsonArray allWeek = new JsonArray();
    for (int day = 1; day <= 7; day++) {
      allWeek.add(new JsonObject().put("dayOfWeek", day).put("startTime", "00:00").put("endTime", "23:59"));
    }
    ok(send(Role.VOLUNTEER, HttpMethod.PUT, "/v1/me/volunteer", new JsonObject()
        .put("location", new JsonObject().put("lat", HOME_LAT).put("lon", HOME_LON + 0.001)).put("travelKm", 8)
        .put("transport", new JsonArray().add("bike")).put("languages", new JsonArray().add("nl"))
        .put("availability", allWeek)), 200);
    OffsetDateTime window = OffsetDateTime.now(ZoneOffset.UTC).plusDays(4).truncatedTo(ChronoUnit.DAYS).plusHours(9);
    String request = ok(send(Role.RESIDENT, HttpMethod.POST, "/v1/requests", new JsonObject()
        .put("kind", "companionship").put("urgency", "normal").put("note", secretNote)
        .put("timeWindows", new JsonArray().add(new JsonObject().put("start", iso(window))
            .put("end", iso(window.plusHours(3)))))
        .put("companionship", new JsonObject().put("activity", "visit").put("languages", new JsonArray().add("nl")))),
        201).getString("id");
    remember("requestId", request);
    JsonArray offers = ok(send(Role.VOLUNTEER, HttpMethod.GET, "/v1/me/offers", null), 200).getJsonArray("items");
    for (Object offer : offers) {
      JsonObject o = (JsonObject) offer;
      if (request.equals(o.getJsonObject("request").getString("id"))) {
        remember("offerId", o.getString("id"));
      }
    }
    String signup = ok(send(Role.RESIDENT, HttpMethod.POST, "/v1/activities/" + activity + "/signups",
        new JsonObject()), 201).getString("signupId");
    remember("signupId", signup);
    String device = ok(send(Role.RESIDENT, HttpMethod.POST, "/v1/devices", new JsonObject()
        .put("token", deviceToken).put("platform", "android").put("appVersion", "1.4.2")), 201)
        .getString("deviceId");
    remember("deviceId", device);
    assertTrue(ids.values().stream().allMatch(list -> !list.isEmpty()));
  }
}
