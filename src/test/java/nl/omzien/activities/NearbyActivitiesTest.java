package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.activities.ActivityFixture.Org;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.Distances;
import nl.omzien.geo.GeoPoint;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Activities near a point")
@ExtendWith(BlockedThreadWatch.class)
class NearbyActivitiesTest {
  private static final String[] CATEGORIES = {"open_inloop", "maaltijd", "bewegen", "creatief", "ontmoeting",
      "cultuur", "digitaal", "other"};
  private static TestApp app;
  private static ActivityFixture fx;
  private static AreaIndex areas;
  private static String resident;

  /** The oracle's view of one active activity, read straight from PostgreSQL. */
  private record Stored(UUID id, double lat, double lon, String category, boolean wheelchair, boolean hearingLoop,
                        DayOfWeek day, LocalTime start, LocalTime end) {
  }

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("nearby");
    fx = new ActivityFixture(app);
    areas = AreaIndex.loadUtrecht();
    resident = app.token(Role.RESIDENT);
    Random random = new Random(20250513);
    for (int o = 0; o < 3; o++) {
      GeoPoint first = randomPoint(random);
      Org org = fx.organisation("Partner " + o, first.lat(), first.lon());
      List<UUID> venues = new ArrayList<>(List.of(org.venueId()));
      for (int v = 0; v < 4; v++) {
        GeoPoint point = randomPoint(random);
        venues.add(fx.createVenue(org.id(), org.organiser(), point.lat(), point.lon()));
      }
      for (int a = 0; a < 20; a++) {
        fx.createActivity(org, randomActivity(random, venues.get(random.nextInt(venues.size()))));
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static GeoPoint randomPoint(Random random) {
    List<AreaIndex.Buurt> buurten = areas.buurten();
    return areas.randomPointIn(buurten.get(random.nextInt(buurten.size())), random);
  }

  private static JsonObject randomActivity(Random random, UUID venueId) {
    DayOfWeek day = DayOfWeek.of(1 + random.nextInt(7));
    JsonObject body = ActivityFixture.weekly(venueId, day, 1 + random.nextInt(500))
        .put("category", CATEGORIES[random.nextInt(CATEGORIES.length)])
        .put("accessibility", new JsonObject().put("wheelchair", random.nextBoolean())
            .put("hearingLoop", random.nextBoolean()));
    int hour = 8 + random.nextInt(10);
    if (random.nextInt(4) == 0) {
      ZonedDateTime start = ZonedDateTime.now(Schedule.ZONE).plusDays(1 + random.nextInt(60)).withHour(hour)
          .withMinute(0).withSecond(0).withNano(0);
      body.put("schedule", new JsonObject().put("kind", "once")
          .put("startsAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(start))
          .put("endsAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(start.plusMinutes(90))));
    } else {
      body.getJsonObject("schedule").put("startTime", String.format(Locale.ROOT, "%02d:00", hour))
          .put("endTime", String.format(Locale.ROOT, "%02d:30", hour + 1));
    }
    return body;
  }

  private static List<Stored> storedActive() throws Exception {
    var rows = app.app().database().pool().query("""
        select a.id, v.lat, v.lon, a.category, a.wheelchair, a.hearing_loop, a.schedule_kind, a.day_of_week,
               a.start_time, a.end_time, a.starts_at, a.ends_at
          from activity a join venue v on v.id = a.venue_id where a.status = 'active'
        """).execute().await(10, TimeUnit.SECONDS);
    List<Stored> out = new ArrayList<>();
    for (Row row : rows) {
      boolean once = row.getString("schedule_kind").equals("once");
      ZonedDateTime starts = once ? row.getOffsetDateTime("starts_at").atZoneSameInstant(Schedule.ZONE) : null;
      ZonedDateTime ends = once ? row.getOffsetDateTime("ends_at").atZoneSameInstant(Schedule.ZONE) : null;
      out.add(new Stored(row.getUUID("id"), row.getDouble("lat"), row.getDouble("lon"), row.getString("category"),
          row.getBoolean("wheelchair"), row.getBoolean("hearing_loop"),
          once ? starts.getDayOfWeek() : DayOfWeek.of(row.getShort("day_of_week")),
          once ? starts.toLocalTime() : row.getLocalTime("start_time"),
          once ? ends.toLocalTime() : row.getLocalTime("end_time")));
    }
    return out;
  }

  /** Every page of a query, following nextCursor, each page checked against the contract. */
  private static List<JsonObject> allPages(String query, int limit) throws Exception {
    List<JsonObject> items = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path = "/v1/activities/nearby?" + query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = fx.ok(fx.send(HttpMethod.GET, path, resident, null), 200, "listNearbyActivities");
      JsonArray got = page.getJsonArray("items");
      assertTrue(got.size() <= limit);
      got.forEach(item -> items.add((JsonObject) item));
      cursor = page.getString("nextCursor");
      assertTrue(++pages < 100, "pagination ends");
    } while (cursor != null);
    return items;
  }

  private record Filter(String query, double lat, double lon, double radius, String category, boolean wheelchair,
                        boolean hearingLoop, DayOfWeek day, LocalTime from, LocalTime to) {
    boolean accepts(Stored s) {
      return Distances.haversineMeters(lat, lon, s.lat(), s.lon()) <= radius
          && (category == null || category.equals(s.category()))
          && (!wheelchair || s.wheelchair()) && (!hearingLoop || s.hearingLoop())
          && (day == null || day == s.day())
          && (from == null || !s.start().isBefore(from)) && (to == null || !s.end().isAfter(to));
    }
  }

  private static Filter filter(double lat, double lon, double radius, String extra, String category,
                               boolean wheelchair, boolean hearingLoop, DayOfWeek day, LocalTime from, LocalTime to) {
    String query = "lat=" + lat + "&lon=" + lon + "&radius=" + (int) radius + extra;
    return new Filter(query, lat, lon, radius, category, wheelchair, hearingLoop, day, from, to);
  }

  @Test
  @DisplayName("every page together equals a brute-force filter over the stored activities, nearest first")
  void equalsBruteForce() throws Exception {
    List<Stored> stored = storedActive();
    Random random = new Random(7);
    List<Filter> filters = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      GeoPoint c = randomPoint(random);
      filters.add(filter(c.lat(), c.lon(), 1500, "", null, false, false, null, null, null));
      filters.add(filter(c.lat(), c.lon(), 10000, "", null, false, false, null, null, null));
      filters.add(filter(c.lat(), c.lon(), 5000, "&category=maaltijd", "maaltijd", false, false, null, null, null));
      filters.add(filter(c.lat(), c.lon(), 3000, "&accessibleOnly=true", null, true, false, null, null, null));
      filters.add(filter(c.lat(), c.lon(), 6000, "&accessibleOnly=true&hearingLoopOnly=true", null, true, true, null,
          null, null));
      filters.add(filter(c.lat(), c.lon(), 8000, "&dayOfWeek=tuesday", null, false, false, DayOfWeek.TUESDAY, null,
          null));
      filters.add(filter(c.lat(), c.lon(), 10000, "&timeFrom=10:00&timeTo=14:00", null, false, false, null,
          LocalTime.of(10, 0), LocalTime.of(14, 0)));
    }
    int nonEmpty = 0;
    for (Filter f : filters) {
      Map<UUID, Double> expected = new HashMap<>();
      stored.stream().filter(f::accepts)
          .forEach(s -> expected.put(s.id(), Distances.haversineMeters(f.lat(), f.lon(), s.lat(), s.lon())));
      List<JsonObject> got = allPages(f.query(), 7);
      Set<UUID> ids = new HashSet<>();
      double previous = -1;
      OffsetDateTime previousStart = null;
      for (JsonObject item : got) {
        UUID id = UUID.fromString(item.getString("activityId"));
        assertTrue(ids.add(id), "no activity twice across pages: " + f.query());
        assertTrue(expected.containsKey(id), () -> "unexpected " + id + " for " + f.query());
        double distance = item.getDouble("distanceMeters");
        assertEquals(expected.get(id), distance, 0.051, f.query());
        assertTrue(distance >= previous, "sorted by distance: " + f.query());
        OffsetDateTime start = OffsetDateTime.parse(item.getJsonObject("nextOccurrence").getString("startsAt"));
        if (distance == previous) {
          assertFalse(start.isBefore(previousStart), "equal distance sorted by next start: " + f.query());
        }
        if (f.day() != null) {
          assertEquals(f.day(), start.atZoneSameInstant(Schedule.ZONE).getDayOfWeek());
        }
        previous = distance;
        previousStart = start;
      }
      assertEquals(expected.keySet(), ids, f.query());
      nonEmpty += ids.isEmpty() ? 0 : 1;
    }
    assertTrue(nonEmpty >= filters.size() / 2, "the oracle compared real results, not mostly empty ones");
  }

  @Test
  @DisplayName("a cancelled activity disappears from the nearby listing at once; an updated one moves with its venue")
  void cancelAndMove() throws Exception {
    Org org = fx.organisation("Verhuizers", 52.0591, 5.1370);
    UUID far = fx.createVenue(org.id(), org.organiser(), 52.0963, 5.0395);
    JsonObject body = ActivityFixture.weekly(org.venueId(), DayOfWeek.FRIDAY, 10).put("category", "cultuur");
    String id = fx.createActivity(org, body).getString("activityId");
    String nearLunetten = "lat=52.0591&lon=5.1370&radius=300&category=cultuur";
    String nearZand = "lat=52.0963&lon=5.0395&radius=300&category=cultuur";
    assertTrue(ids(allPages(nearLunetten, 100)).contains(id));
    String path = "/v1/organisations/" + org.id() + "/activities/" + id;
    fx.ok(fx.send(HttpMethod.PUT, path, org.organiser(), body.copy().put("venueId", far.toString())), 200,
        "updateActivity");
    assertFalse(ids(allPages(nearLunetten, 100)).contains(id));
    assertTrue(ids(allPages(nearZand, 100)).contains(id));
    fx.ok(fx.send(HttpMethod.POST, path + "/cancel", org.organiser(), null), 200, "cancelActivity");
    assertFalse(ids(allPages(nearZand, 100)).contains(id));
    assertFalse(ids(allPages("lat=52.0963&lon=5.0395&radius=10000", 100)).contains(id));
  }

  @Test
  @DisplayName("a cursor works only with the query that produced it")
  void cursorBoundToQuery() throws Exception {
    JsonObject page = fx.ok(fx.send(HttpMethod.GET, "/v1/activities/nearby?lat=52.09&lon=5.11&radius=10000&limit=2",
        resident, null), 200, "listNearbyActivities");
    String cursor = page.getString("nextCursor");
    assertNotNull(cursor);
    fx.problem(fx.send(HttpMethod.GET, "/v1/activities/nearby?lat=52.09&lon=5.11&radius=9000&limit=2&cursor=" + cursor,
        resident, null), 422, "listNearbyActivities");
    JsonObject next = fx.ok(fx.send(HttpMethod.GET, "/v1/activities/nearby?lat=52.09&lon=5.11&radius=10000&limit=2"
        + "&cursor=" + cursor, resident, null), 200, "listNearbyActivities");
    assertFalse(ids(next.getJsonArray("items").stream().map(JsonObject.class::cast).toList())
        .removeAll(ids(page.getJsonArray("items").stream().map(JsonObject.class::cast).toList())));
  }

  private static List<String> ids(List<JsonObject> items) {
    return new ArrayList<>(items.stream().map(i -> i.getString("activityId")).toList());
  }
}
