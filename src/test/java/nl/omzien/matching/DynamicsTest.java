package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Candidate facts: the task ledger and the request's offers answer what the per-fact subqueries answer")
@ExtendWith(BlockedThreadWatch.class)
class DynamicsTest {
  /** The candidate facts by their definition: one subquery per fact and candidate (as read before V13). */
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
  @DisplayName("week tasks, recent tasks, known face, offered and excluded agree for varied requests and candidates, "
      + "also after updates, moves to another volunteer, deletes and a truncate")
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
      f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
              + "first_starts_at, volunteer_id, matched_at) values ($1, $2, $2, 'respite', $3, 'normal', '{}', 52.09, "
              + "5.02, $4, $5, $6)", id, resident, status(random), starts(random, now), volunteer(random, volunteers),
          null);
      requests.add(id);
    }
    // matched_at only for those with a volunteer (as the application writes it)
    f.sql("update help_request set matched_at = now() - (random() * interval '40 days') "
        + "where volunteer_id is not null and random() < 0.5");
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
    int[] seen = new int[5]; // how often each fact was non-zero: the data must exercise all of them
    compareAll(random, now, requests, residents, candidates, seen);
    for (int i = 0; i < seen.length; i++) {
      assertTrue(seen[i] > 0, "fact " + i + " never held in the test data");
    }

    // Every kind of change the ledger hears: status, start and match time, resident, another volunteer or none,
    // deletes; and a row moved back and forth in one transaction, whose fourth change would repeat the second's
    // notification word for word (PostgreSQL drops such repeats) if the notification did not carry the clock.
    for (int i = 0; i < 40; i++) {
      UUID request = requests.get(random.nextInt(requests.size()));
      switch (random.nextInt(6)) {
        case 0 -> f.sql("update help_request set status = $2 where id = $1", request, status(random));
        case 1 -> f.sql("update help_request set first_starts_at = $2 where id = $1", request, starts(random, now));
        case 2 -> f.sql("update help_request set volunteer_id = $2, matched_at = now() - interval '3 days' "
            + "where id = $1", request, volunteer(random, volunteers));
        case 3 -> f.sql("update help_request set resident_id = $2 where id = $1", request,
            residents.get(random.nextInt(residents.size())));
        case 4 -> app.app().database().pool().withTransaction(tx -> {
          String move = "update help_request set volunteer_id = $2 where id = $1";
          return tx.preparedQuery(move).execute(Tuple.of(request, volunteers.get(0)))
              .compose(v -> tx.preparedQuery(move).execute(Tuple.of(request, volunteers.get(1))))
              .compose(v -> tx.preparedQuery(move).execute(Tuple.of(request, volunteers.get(0))))
              .compose(v -> tx.preparedQuery(move).execute(Tuple.of(request, volunteers.get(1))));
        }).await(10, TimeUnit.SECONDS);
        default -> {
          f.sql("delete from help_request where id = $1", request);
          requests.remove(request);
        }
      }
    }
    compareAll(random, now, requests, residents, candidates, new int[5]);

    f.sql("truncate help_request cascade");
    f.tasksHeard();
    assertEquals(0, app.app().matcher().tasks().size());
  }

  @Test
  @DisplayName("a load after a lost LISTEN connection picks up what was changed meanwhile")
  void reloadsAfterReconnect() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID volunteer = f.volunteer("Vrijwilliger", 0, MatchFixture.profile()).id();
    TaskLedger tasks = app.app().matcher().tasks();
    assertEquals(0, tasks.size());
    f.sql("select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen%omzien_task%'");
    f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at, volunteer_id, matched_at) values ($1, $2, $2, 'respite', 'matched', 'normal', '{}', "
        + "52.09, 5.02, now() + interval '1 day', $3, now())", UUID.randomUUID(), resident, volunteer);
    // The subscriber reconnects after a second and loads again; its sync marker goes over the new connection.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (tasks.size() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(1, tasks.size());
    f.tasksHeard();
    assertEquals(new TaskLedger.Facts(0, 1, true), tasks.facts(volunteer, UUID.randomUUID(), resident,
        Instant.now().minus(Duration.ofDays(7)), Instant.now(), Instant.now()));
  }

  @Test
  @DisplayName("loads while changes commit on four connections end with the stored tasks")
  void loadsDuringChanges() throws Exception {
    f.reset();
    List<UUID> residents = List.of(f.resident("Bewoner", 0).id(), f.resident("Buur", 0).id());
    List<UUID> volunteers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      volunteers.add(f.volunteer("Vrijwilliger" + i, 0.1 * i, MatchFixture.profile()).id());
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Random random = new Random(11);
    List<UUID> requests = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      UUID id = UUID.randomUUID();
      f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
          + "first_starts_at, volunteer_id, matched_at) values ($1, $2, $2, 'respite', 'matched', 'normal', '{}', "
          + "52.09, 5.02, $3, $4, now())", id, residents.get(i % 2), starts(random, now),
          volunteers.get(i % volunteers.size()));
      requests.add(id);
    }
    // Enough other tasks that a load takes a while, so changes commit after its snapshot and are heard before it
    // ends: those must survive the swap.
    f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at, volunteer_id, matched_at) select gen_random_uuid(), $1, $1, 'transport', 'completed', "
        + "'normal', '{}', 52.09, 5.02, now() - n * interval '1 hour', $2, now() - n * interval '1 hour' "
        + "from generate_series(1, 30000) n", residents.get(0), volunteers.get(3));
    TaskLedger tasks = app.app().matcher().tasks();
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      Random mine = new Random(w);
      Future<?> chain = Future.succeededFuture();
      for (int i = 0; i < 150; i++) {
        UUID request = requests.get(mine.nextInt(requests.size()));
        UUID volunteer = volunteer(mine, volunteers);
        String status = status(mine);
        chain = chain.compose(v -> app.app().database().pool()
            .preparedQuery("update help_request set volunteer_id = $2, status = $3 where id = $1")
            .execute(Tuple.of(request, volunteer, status)));
      }
      writers.add(chain);
    }
    Future<?> written = Future.all(writers);
    int loads = 0;
    while (!written.isComplete()) {
      tasks.load().await(30, TimeUnit.SECONDS);
      loads++;
    }
    written.await(60, TimeUnit.SECONDS);
    assertTrue(loads >= 2, "loads during the writes: " + loads);
    compareAll(random, now, requests, residents, volunteers, new int[5]);
  }

  private static String status(Random random) {
    return STATUSES.get(random.nextInt(STATUSES.size()));
  }

  private static OffsetDateTime starts(Random random, Instant now) {
    return now.plus(Duration.ofHours(random.nextInt(24 * 21) - 24 * 7)).atOffset(ZoneOffset.UTC);
  }

  private static UUID volunteer(Random random, List<UUID> volunteers) {
    return random.nextInt(5) == 0 ? null : volunteers.get(random.nextInt(volunteers.size() - 1));
  }

  /** For every request: the ledger's facts and the request's asked sets against the per-fact subqueries. */
  private static void compareAll(Random random, Instant now, List<UUID> requests, List<UUID> residents,
                                 List<UUID> candidates, int[] seen) throws Exception {
    f.tasksHeard();
    TaskLedger tasks = app.app().matcher().tasks();
    for (UUID candidate : candidates) {
      Set<TaskLedger.Task> held = new HashSet<>(tasks.tasksOf(candidate));
      Set<TaskLedger.Task> stored = new HashSet<>();
      f.rows("select id, resident_id, status in ('matched', 'completed') as counts, "
          + "(extract(epoch from first_starts_at) * 1000)::int8 as starts, "
          + "(extract(epoch from matched_at) * 1000)::int8 as matched from help_request where volunteer_id = $1",
          candidate).forEach(row -> stored.add(new TaskLedger.Task(row.getUUID("id"), row.getUUID("resident_id"),
              row.getBoolean("counts"), row.getLong("starts"),
              row.getLong("matched") == null ? TaskLedger.Task.NEVER : row.getLong("matched"))));
      assertEquals(stored, held, "tasks of " + candidate);
    }
    int compared = 0;
    for (UUID request : requests) {
      UUID resident = residents.get(random.nextInt(residents.size()));
      Instant weekStart = now.plus(Duration.ofDays(random.nextInt(14) - 7));
      Instant weekEnd = weekStart.plus(Duration.ofDays(7));
      Map<UUID, Matcher.Dynamics> expected = perFact(request, resident, weekStart, weekEnd, candidates);
      MatchStore.Asked asked = MatchStore.asked(app.app().database().pool(), request).await(10, TimeUnit.SECONDS);
      Instant at = Instant.now();
      Map<UUID, Matcher.Dynamics> actual = new HashMap<>();
      for (UUID candidate : candidates) {
        TaskLedger.Facts facts = tasks.facts(candidate, request, resident, weekStart, weekEnd, at);
        actual.put(candidate, new Matcher.Dynamics(facts.weekTasks(), facts.recentTasks(), facts.knownFace(),
            asked.offered().contains(candidate), asked.excluded().contains(candidate)));
      }
      assertEquals(expected, actual, "request " + request);
      compared += actual.size();
      for (Matcher.Dynamics d : actual.values()) {
        seen[0] += d.weekTasks() > 0 ? 1 : 0;
        seen[1] += d.recentTasks() > 0 ? 1 : 0;
        seen[2] += d.knownFace() ? 1 : 0;
        seen[3] += d.offered() ? 1 : 0;
        seen[4] += d.excluded() ? 1 : 0;
      }
    }
    assertEquals(requests.size() * candidates.size(), compared);
  }

  private static Map<UUID, Matcher.Dynamics> perFact(UUID request, UUID resident, Instant weekStart,
                                                     Instant weekEnd, List<UUID> candidates) throws Exception {
    Map<UUID, Matcher.Dynamics> out = new HashMap<>();
    app.app().database().pool().preparedQuery(PER_FACT)
        .execute(Tuple.of(candidates.toArray(UUID[]::new), weekStart.atOffset(ZoneOffset.UTC),
            weekEnd.atOffset(ZoneOffset.UTC), resident, request))
        .await(10, TimeUnit.SECONDS)
        .forEach(row -> out.put(row.getUUID("id"), new Matcher.Dynamics(row.getInteger("week_tasks"),
            row.getInteger("recent_tasks"), row.getBoolean("known_face"), row.getBoolean("offered"),
            row.getBoolean("excluded"))));
    return out;
  }
}
