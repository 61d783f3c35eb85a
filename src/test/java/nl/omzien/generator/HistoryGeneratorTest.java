package nl.omzien.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The history generator")
class HistoryGeneratorTest {
  private static final LocalDate UNTIL = LocalDate.of(2026, 10, 31);
  private static final HistoryGenerator.Options CITY =
      new HistoryGenerator.Options(HistoryGenerator.Scale.CITY, 7, UNTIL);

  /** A fingerprint of what matters for figures (ids, statuses, times, volunteers, offers, ratings), and devices. */
  private static final String FINGERPRINT = """
      select (select md5(string_agg(concat_ws('|', id, kind, status, wijk_code, created_at, first_offer_at, matched_at,
                                              completed_at, hours_spent, volunteer_id, parent_id), ',' order by id))
                from help_request)
          || (select md5(string_agg(concat_ws('|', id, status, decline_reason, responded_at), ',' order by id)) from offer)
          || (select md5(string_agg(concat_ws('|', request_id, role, rating), ',' order by request_id, role)) from feedback)
          || (select md5(string_agg(concat_ws('|', id, occurs_on, user_id, status), ',' order by id)) from activity_signup)
          || (select md5(string_agg(concat_ws('|', id, user_id, token, platform, locale), ',' order by id)) from push_device
               where user_id not in (select user_id from volunteer_profile where wijk_code is null))
      """;

  private static String query(Connection connection, String sql) throws Exception {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  @DisplayName("the same seed gives the same city, which the figures API reads for every wijk")
  void deterministicCity() throws Exception {
    String first;
    try (TestApp app = TestApp.start("generator1");
         Connection connection = GenerateCommand.connect(app.app().database().target())) {
      assertNull(GenerateCommand.refusal(connection, true), "an empty demo database may be filled");
      HistoryGenerator.Summary summary = HistoryGenerator.generate(connection, AreaIndex.loadUtrecht(), CITY);
      assertTrue(summary.rows().get("help_request") > 35_000, summary.rows()::toString);
      assertTrue(summary.rows().get("offer") > 150_000, summary.rows()::toString);
      first = query(connection, FINGERPRINT);
      for (String table : List.of("help_request", "offer", "help_request_history")) {
        assertEquals("t", query(connection, "select relpages > 0 and relallvisible >= 0.95 * relpages from pg_class"
            + " where relname = '" + table + "'"), table + ": the generator's vacuum marks the history all-visible");
      }
      assertEquals("10", query(connection, "select count(distinct wijk_code) from help_request"));
      assertEquals("0", query(connection, """
          select count(*) from help_request
           where created_at < '2025-11-01T00:00:00+01'::timestamptz or created_at >= '2026-11-01T00:00:00+01'::timestamptz
          """), "a year of history ending on --until");
      assertEquals("0", query(connection, "select count(*) from activity_occurrence where taken > capacity"));
      assertTrue(Long.parseLong(query(connection, "select count(*) from help_request where parent_id is not null")) > 0);
      // The demo data TestApp seeds has users without devices; the generator gives its own every volunteer and
      // ambassador one, and RESIDENTS_WITH_APP of its residents.
      assertEquals(HistoryGenerator.CITY_VOLUNTEERS + "|10", query(connection, """
          select count(distinct d.user_id) filter (where 'volunteer' = any(u.roles)) || '|'
                 || count(distinct d.user_id) filter (where 'ambassador' = any(u.roles))
            from push_device d join app_user u on u.id = d.user_id
          """), "every generated volunteer and ambassador has the app");
      double residentsWithApp = Double.parseDouble(query(connection, """
          select count(distinct d.user_id)::float8 / %d from push_device d join resident_profile r on r.user_id = d.user_id
          """.formatted(HistoryGenerator.CITY_RESIDENTS)));
      assertTrue(residentsWithApp > 0.55 && residentsWithApp < 0.65, "residents with the app: " + residentsWithApp);
      assertEquals("t", query(connection, "select bool_and(length(token) = 163) from push_device"), "FCM-sized tokens");
      assertNotNull(GenerateCommand.refusal(connection, true), "a database with requests is refused without --force");

      String admin = app.token(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of());
      var response = app.client().get("/v1/figures?from=2025-11-01&to=2026-10-31").bearerTokenAuthentication(admin)
          .send().await(60, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response::bodyAsString);
      app.assertMatchesContract("getFigures", response);
      for (Object item : response.bodyAsJsonObject().getJsonArray("wijken")) {
        JsonObject wijk = (JsonObject) item;
        assertTrue(wijk.getInteger("requests") > 500, wijk::encode);
        double matched = wijk.getJsonObject("matched").getDouble("share");
        assertTrue(matched > 0.5 && matched < 1, wijk::encode);
        assertTrue(wijk.getJsonObject("escalated").getValue("share") instanceof Number, wijk::encode);
        assertTrue(wijk.getJsonObject("offers").getJsonArray("declineReasons").size() >= 5, wijk::encode);
      }
    }
    // The region with the same seed: the same city (so also the city's determinism), and the region's volunteers.
    try (TestApp app = TestApp.start("generator2");
         Connection connection = GenerateCommand.connect(app.app().database().target())) {
      AreaIndex areas = AreaIndex.loadUtrecht();
      HistoryGenerator.Summary summary = HistoryGenerator.generate(connection, areas,
          new HistoryGenerator.Options(HistoryGenerator.Scale.REGION, 7, UNTIL));
      assertEquals(first, query(connection, FINGERPRINT));
      int expected = HistoryGenerator.regionVolunteers(areas);
      assertTrue(expected > 6_000 && expected < 7_000, "1.07 % of the other U16 municipalities' ~597,000: " + expected);
      assertEquals(expected + "|" + expected + "|" + expected + "|" + expected, query(connection, """
          select count(*) || '|' || count(*) filter (where 'volunteer' = any(u.roles))
                 || '|' || count(*) filter (where exists (select from volunteer_availability a where a.volunteer_id = p.user_id))
                 || '|' || count(*) filter (where exists (select from push_device d where d.user_id = p.user_id))
            from volunteer_profile p join app_user u on u.id = p.user_id where p.wijk_code is null
          """), "every region volunteer has a profile without a wijk, availability and the app");
      assertEquals(HistoryGenerator.CITY_VOLUNTEERS + expected + 0L, summary.rows().get("volunteer_profile"));
      assertEquals("0", query(connection, "select count(*) from volunteer_profile where buurt_code is null"
          + " and wijk_code is not null"));
      // Nobody of the region lives in a buurt of Utrecht, and each town has about its share of them.
      int[] near = new int[HistoryGenerator.REGION_PLACES.length];
      long inhabitants = 0;
      for (Object[] place : HistoryGenerator.REGION_PLACES) {
        inhabitants += (Integer) place[3];
      }
      try (Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery("select lat, lon from volunteer_profile where wijk_code is null")) {
        while (rows.next()) {
          double lat = rows.getDouble(1);
          double lon = rows.getDouble(2);
          assertTrue(areas.buurtAt(lat, lon).isEmpty(), lat + "," + lon + " is in Utrecht");
          int nearest = 0;
          double best = Double.MAX_VALUE;
          for (int i = 0; i < near.length; i++) {
            Object[] place = HistoryGenerator.REGION_PLACES[i];
            double d = nl.omzien.geo.Distances.haversineMeters(lat, lon, (Double) place[1], (Double) place[2]);
            if (d < best) {
              best = d;
              nearest = i;
            }
          }
          assertTrue(best < 10_000, lat + "," + lon + " is " + best + " m from the nearest town");
          near[nearest]++;
        }
      }
      for (int i = 0; i < near.length; i++) {
        Object[] place = HistoryGenerator.REGION_PLACES[i];
        double share = (double) near[i] / expected;
        double expectedShare = (Integer) place[3] / (double) inhabitants;
        assertTrue(Math.abs(share - expectedShare) < 0.35 * expectedShare + 0.005,
            place[0] + ": " + near[i] + " volunteers nearest to it, " + share + " against " + expectedShare);
      }
    }
  }

  @Test
  @DisplayName("arguments: scale is required, values are checked, defaults are seed 42 and yesterday (all in the past)")
  void arguments() {
    LocalDate today = LocalDate.of(2026, 11, 23);
    GenerateCommand.Arguments parsed = GenerateCommand.parse(List.of("--scale", "city"), today);
    assertEquals(new HistoryGenerator.Options(HistoryGenerator.Scale.CITY, 42, today.minusDays(1)), parsed.options());
    assertEquals(false, parsed.force());
    GenerateCommand.Arguments full = GenerateCommand.parse(
        List.of("--scale", "national", "--seed", "7", "--until", "2026-01-31", "--force"), today);
    assertEquals(new HistoryGenerator.Options(HistoryGenerator.Scale.NATIONAL, 7, LocalDate.of(2026, 1, 31)),
        full.options());
    assertTrue(full.force());
    assertThrows(IllegalArgumentException.class, () -> GenerateCommand.parse(List.of(), today));
    assertEquals(HistoryGenerator.Scale.REGION, GenerateCommand.parse(List.of("--scale", "region"), today).options().scale());
    assertThrows(IllegalArgumentException.class, () -> GenerateCommand.parse(List.of("--scale", "town"), today));
    assertThrows(IllegalArgumentException.class,
        () -> GenerateCommand.parse(List.of("--scale", "city", "--until", "31-01-2026"), today));
    assertThrows(IllegalArgumentException.class, () -> GenerateCommand.parse(List.of("--scale"), today));
    assertThrows(IllegalArgumentException.class,
        () -> GenerateCommand.parse(List.of("--scale", "city", "--dry"), today));
  }

  @Test
  @DisplayName("a production database with users is refused even without requests")
  void refusesProduction() throws Exception {
    try (TestApp app = TestApp.start("generatorprod");
         Connection connection = GenerateCommand.connect(app.app().database().target())) {
      // The test app loaded demo users: fine for a demo database, not for a production one.
      assertNull(GenerateCommand.refusal(connection, true));
      assertTrue(GenerateCommand.refusal(connection, false).contains("not a demo database"));
    }
  }
}
