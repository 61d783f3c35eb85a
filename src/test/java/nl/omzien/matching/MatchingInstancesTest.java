package nl.omzien.matching;

import static nl.omzien.matching.MatchFixture.profile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Matching across restarts and instances: rounds resume, nothing is offered or pushed twice")
@ExtendWith(BlockedThreadWatch.class)
class MatchingInstancesTest {

  private static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  @DisplayName("a round that falls due while the service is down runs after the restart")
  void roundsResumeAfterRestart() throws Exception {
    String url;
    String id;
    MatchFixture.Person six;
    try (TestApp first = TestApp.start("resume", Map.of("OMZIEN_MATCH_TICK_MS", "0"))) {
      MatchFixture f = new MatchFixture(first);
      f.volunteer("Anna", 1, profile());
      six = f.volunteer("Bram", 6, profile());
      id = f.ask(f.resident("Ria", 0), MatchFixture.ride(0)).getString("id");
      assertEquals(1, f.offered(id).size());
      // The round's time passes while nothing runs.
      f.sql("update help_request set next_round_at = now() - interval '1 second' where id = $1", UUID.fromString(id));
      url = first.databaseUrl();
    }
    try (TestApp second = TestApp.start("resume", Map.of("DATABASE_URL", url, "OMZIEN_MATCH_TICK_MS", "100"))) {
      MatchFixture f = MatchFixture.on(second);
      await("round 2 ran", () -> f.offered(id).contains(six.id()));
      assertEquals(2, f.count("select round from help_request where id = $1", UUID.fromString(id)));
      assertEquals(2, f.count("select count(*) from push_outbox where kind = 'offer_made' and request_id = $1",
          UUID.fromString(id)));
    }
  }

  @Test
  @DisplayName("a burst of profile changes made in SQL (a bulk import) reaches the index, every one of them")
  void burstOfNotifications() throws Exception {
    // A small pool: its wait queue (64 per connection) is far below one query per notification.
    try (TestApp app = TestApp.start("burst", Map.of("OMZIEN_MATCH_TICK_MS", "0", "OMZIEN_DB_POOL_SIZE", "2"))) {
      MatchFixture f = new MatchFixture(app);
      int before = app.app().matcher().volunteers().size();
      String wijk = f.rows("select wijk_code from buurt order by code limit 1").get(0).getString(0);
      String buurt = f.rows("select code from buurt where wijk_code = $1 order by code limit 1", wijk).get(0)
          .getString(0);
      f.sql("insert into app_user (id, display_name, roles) select ('00000000-0000-4000-8000-' || "
          + "lpad(g::text, 12, '0'))::uuid, 'Bulk ' || g, '{volunteer}' from generate_series(1, 1500) g");
      // One transaction, 1,500 notifications at its commit.
      f.sql("insert into volunteer_profile (user_id, lat, lon, buurt_code, wijk_code, travel_km) "
          + "select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 52.09 + g * 1e-5, 5.12, $1, $2, 5 "
          + "from generate_series(1, 1500) g", buurt, wijk);
      await("all 1,500 indexed", () -> app.app().matcher().volunteers().size() == before + 1500);
      assertTrue(app.app().matcher().volunteers().get(UUID.fromString("00000000-0000-4000-8000-000000001500"))
          .isPresent());

      // And a bulk change of them all: heard and applied too.
      f.sql("update volunteer_profile set paused = true where user_id::text like '00000000-0000-4000-8000-%'");
      await("all 1,500 paused", () -> f.rows("select user_id from volunteer_profile where paused").stream()
          .allMatch(r -> app.app().matcher().volunteers().get(r.getUUID(0)).map(VolunteerCard::paused)
              .orElse(false)));
    }
  }

  @Test
  @DisplayName("two instances on one database: a profile change made through one is matched on the other, "
      + "both workers together offer and push each volunteer once, and a match made through one is in the other's "
      + "task ledger")
  void twoInstances() throws Exception {
    try (TestApp a = TestApp.start("instances", Map.of("OMZIEN_MATCH_TICK_MS", "50"));
         TestApp b = TestApp.start("instances-b", Map.of("DATABASE_URL", a.databaseUrl(), "OMZIEN_MATCH_TICK_MS", "50"))) {
      MatchFixture fa = new MatchFixture(a);
      MatchFixture fb = MatchFixture.on(b);
      await("b forgot the demo volunteers", () -> b.app().matcher().volunteers().size() == 0);

      // Made through A, heard by B through NOTIFY.
      List<MatchFixture.Person> volunteers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        volunteers.add(fa.volunteer("V" + i, 0.5 * i, profile().cap(20)));
      }
      await("b's index has them", () -> b.app().matcher().volunteers().size() == 12);
      MatchFixture.Person first = volunteers.get(0);
      fa.send("PUT", "/v1/me/volunteer", first.token(), new io.vertx.core.json.JsonObject()
          .put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON)).put("travelKm", 10)
          .put("transport", new io.vertx.core.json.JsonArray().add("car")).put("paused", true)
          .put("availability", new io.vertx.core.json.JsonArray()));
      await("b sees the pause", () -> b.app().matcher().volunteers().get(first.id()).map(VolunteerCard::paused)
          .orElse(false));

      // Requests made through B; both workers keep running rounds on them.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ids.add(fb.ask(fb.resident("R" + i, 0.3 * i), MatchFixture.ride(0.3 * i)).getString("id"));
      }
      await("every request escalated", () -> {
        // Each round's time passes at once; whichever worker is first takes the step.
        fa.sql("update help_request set next_round_at = now() - interval '1 second' where status = 'offered'");
        Thread.sleep(200);
        return fa.count("select count(*) from help_request where status = 'escalated'") == 10;
      });
      for (String id : ids) {
        assertTrue(fa.offered(id).stream().noneMatch(first.id()::equals), "a paused volunteer is never asked");
      }
      assertEquals(0, fa.count("select count(*) from (select request_id, volunteer_id from offer"
          + " group by 1, 2 having count(*) > 1) d"));
      assertEquals(fa.count("select count(*) from offer"),
          fa.count("select count(*) from push_outbox where kind = 'offer_made'"), "one push per offer");
      assertEquals(10, fa.count("select count(*) from help_request_history where to_status = 'escalated'"),
          "each escalation happened once");

      // A match made through A is in B's task ledger (the weekly cap, continuity and fairness read it there).
      Row pending = fa.rows("select id, request_id, volunteer_id from offer where status = 'pending' "
          + "order by created_at limit 1").get(0);
      MatchFixture.Person taker = volunteers.stream().filter(v -> v.id().equals(pending.getUUID("volunteer_id")))
          .findFirst().orElseThrow();
      assertTrue(b.app().matcher().tasks().tasksOf(taker.id()).isEmpty());
      assertEquals(200, fa.send("POST", "/v1/offers/" + pending.getUUID("id") + "/accept", taker.token(), null)
          .statusCode());
      fb.tasksHeard();
      assertEquals(List.of(pending.getUUID("request_id")), b.app().matcher().tasks().tasksOf(taker.id()).stream()
          .map(TaskLedger.Task::request).toList());
      assertTrue(b.app().matcher().tasks().tasksOf(taker.id()).get(0).counts());
    }
  }
}
