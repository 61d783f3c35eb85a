package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Candidate facts: one pass over each candidate's requests answers what the per-fact subqueries answered")
@ExtendWith(BlockedThreadWatch.class)
class DynamicsTest {
  /** The candidate facts as they were read before V13: one subquery per fact and candidate. */
  private static final String PER_FACT = """
      select v.id,
             (select count(*) from help_request r
               where r.volunteer_id = v.id and r.status in ('matched', 'completed')
                 and r.first_starts_at >= $2 and r.first_starts_at < $3)::int as week_tasks,
             (select count(*) from help_request r
               where r.volunteer_id = v.id and r.matched_at > now() - interval '28 days')::int as recent_tasks,
             exists (select 1 from help_request r
                      where r.volunteer_id = v.id and r.resident_id = $4 and r.id <> $5
                        and r.status in ('matched', 'completed')) as known_face,
             exists (select 1 from offer o where o.request_id = $5 and o.volunteer_id = v.id
                        and o.status not in ('filled', 'withdrawn')) as offered,
             exists (select 1 from match_exclusion e where e.request_id = $5 and e.volunteer_id = v.id) as excluded
        from unnest($1::uuid[]) as v(id)
      """;
  private static final List<String> STATUSES = List.of("open", "offered", "matched", "completed", "cancelled",
      "expired", "escalated");

  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("dynamics", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("week tasks, recent tasks, known face, offered and excluded agree for varied requests and candidates")
  void sameFacts() throws Exception {
    f.reset();
    Random random = new Random(7);
    List<UUID> residents = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      residents.add(f.resident("Bewoner" + i, 0).id());
    }
    List<UUID> volunteers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      volunteers.add(f.volunteer("Vrijwilliger" + i, 0.1 * i, MatchFixture.profile()).id());
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<UUID> requests = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      UUID id = UUID.randomUUID();
      UUID resident = residents.get(random.nextInt(residents.size()));
      String status = STATUSES.get(random.nextInt(STATUSES.size()));
      UUID volunteer = random.nextInt(5) == 0 ? null : volunteers.get(random.nextInt(volunteers.size() - 1));
      Instant starts = now.plus(Duration.ofHours(random.nextInt(24 * 21) - 24 * 7));
      Instant matched = volunteer == null || random.nextBoolean() ? null
          : now.minus(Duration.ofHours(random.nextInt(24 * 40)));
      f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
              + "first_starts_at, volunteer_id, matched_at) values ($1, $2, $2, 'respite', $3, 'normal', '{}', 52.09, "
              + "5.02, $4, $5, $6)", id, resident, status, starts.atOffset(ZoneOffset.UTC), volunteer,
          matched == null ? null : matched.atOffset(ZoneOffset.UTC));
      requests.add(id);
    }
    for (int i = 0; i < 20; i++) {
      UUID request = requests.get(random.nextInt(requests.size()));
      UUID volunteer = volunteers.get(random.nextInt(volunteers.size()));
      String status = List.of("pending", "accepted", "declined", "filled", "withdrawn", "rejected")
          .get(random.nextInt(6));
      f.sql("insert into offer (id, request_id, volunteer_id, round, status, score, breakdown, distance_m) "
          + "values ($1, $2, $3, 1, $4, 0.5, '{}', 100) on conflict do nothing", UUID.randomUUID(), request, volunteer,
          status);
      if (random.nextInt(3) == 0) {
        f.sql("insert into match_exclusion (request_id, volunteer_id) values ($1, $2) on conflict do nothing",
            request, volunteers.get(random.nextInt(volunteers.size())));
      }
    }
    List<UUID> candidates = new ArrayList<>(volunteers);
    candidates.add(UUID.randomUUID()); // nobody's volunteer: no requests at all
    int compared = 0;
    int[] seen = new int[5]; // how often each fact was non-zero: the data must exercise all of them
    for (UUID request : requests) {
      UUID resident = residents.get(random.nextInt(residents.size()));
      Instant weekStart = now.plus(Duration.ofDays(random.nextInt(14) - 7));
      Map<UUID, MatchStore.Dynamics> expected = perFact(request, resident, weekStart, weekStart.plus(Duration.ofDays(7)),
          candidates);
      Map<UUID, MatchStore.Dynamics> actual = MatchStore.dynamics(app.app().database().pool(), request, resident,
          weekStart, weekStart.plus(Duration.ofDays(7)), candidates).await(10, TimeUnit.SECONDS);
      assertEquals(expected, actual, "request " + request);
      compared += actual.size();
      for (MatchStore.Dynamics d : actual.values()) {
        seen[0] += d.weekTasks() > 0 ? 1 : 0;
        seen[1] += d.recentTasks() > 0 ? 1 : 0;
        seen[2] += d.knownFace() ? 1 : 0;
        seen[3] += d.offered() ? 1 : 0;
        seen[4] += d.excluded() ? 1 : 0;
      }
    }
    assertEquals(60 * candidates.size(), compared);
    for (int i = 0; i < seen.length; i++) {
      org.junit.jupiter.api.Assertions.assertTrue(seen[i] > 0, "fact " + i + " never held in the test data");
    }
  }

  private static Map<UUID, MatchStore.Dynamics> perFact(UUID request, UUID resident, Instant weekStart,
                                                        Instant weekEnd, List<UUID> candidates) throws Exception {
    Map<UUID, MatchStore.Dynamics> out = new HashMap<>();
    app.app().database().pool().preparedQuery(PER_FACT)
        .execute(Tuple.of(candidates.toArray(UUID[]::new), weekStart.atOffset(ZoneOffset.UTC),
            weekEnd.atOffset(ZoneOffset.UTC), resident, request))
        .await(10, TimeUnit.SECONDS)
        .forEach(row -> out.put(row.getUUID("id"), new MatchStore.Dynamics(row.getInteger("week_tasks"),
            row.getInteger("recent_tasks"), row.getBoolean("known_face"), row.getBoolean("offered"),
            row.getBoolean("excluded"))));
    return out;
  }
}
