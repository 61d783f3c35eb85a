package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("A round locks its request by primary key, also when the timers' statistics are old")
@ExtendWith(BlockedThreadWatch.class)
class RoundLockTest {
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("round-lock", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("statistics taken with no timers set, then 3,000 timers: the lock reads its row, not every timer")
  void primaryKeyWithStaleStatistics() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    // 3,000 requests without timers (as generated history is), analyzed in that state ...
    f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at) select gen_random_uuid(), $1, $1, 'respite', 'completed', 'normal', '{}', 52.09, 5.02, now() "
        + "from generate_series(1, 3000)", resident);
    f.sql("analyze help_request");
    // ... and then a day of new requests sets their timers before the next analyze.
    f.sql("update help_request set status = 'offered', next_round_at = now() + interval '1 hour'");
    UUID one = f.rows("select id from help_request limit 1").get(0).getUUID(0);

    JsonArray plan = f.rows("explain (format json) " + MatchStore.LOCK_DUE, one).get(0).getJsonArray(0);
    String text = plan.encode();
    assertTrue(text.contains("help_request_pkey"), text);
    assertFalse(text.contains("help_request_due"), text);

    JsonObject analyzed = f.rows("explain (analyze, buffers, format json) " + MatchStore.LOCK_DUE, one).get(0)
        .getJsonArray(0).getJsonObject(0).getJsonObject("Plan");
    long buffers = analyzed.getLong("Shared Hit Blocks", 0L) + analyzed.getLong("Shared Read Blocks", 0L);
    assertTrue(buffers < 20, "buffers read to lock one request: " + buffers);
  }

  @Test
  @DisplayName("a request with a timer is locked with its due flag; one without a timer, or unknown, is skipped")
  void sameOutcomes() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID due = UUID.randomUUID();
    UUID later = UUID.randomUUID();
    UUID none = UUID.randomUUID();
    for (UUID id : List.of(due, later, none)) {
      f.offeredRequest(id, resident);
    }
    f.sql("update help_request set next_round_at = now() - interval '1 second' where id = $1", due);
    f.sql("update help_request set next_round_at = now() + interval '1 hour' where id = $1", later);

    Optional<MatchStore.Locked> dueLock = lockDue(due);
    assertTrue(dueLock.isPresent());
    assertTrue(dueLock.get().due());
    assertEquals("offered", dueLock.get().status().wire());
    Optional<MatchStore.Locked> laterLock = lockDue(later);
    assertTrue(laterLock.isPresent());
    assertFalse(laterLock.get().due());
    assertEquals(Optional.empty(), lockDue(none));
    assertEquals(Optional.empty(), lockDue(UUID.randomUUID()));
  }

  @Test
  @DisplayName("a request another transaction holds is skipped, not waited for")
  void skipsHeld() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID id = UUID.randomUUID();
    f.offeredRequest(id, resident);
    f.sql("update help_request set next_round_at = now() where id = $1", id);
    var pool = app.app().database().pool();
    var holder = pool.getConnection().await(10, TimeUnit.SECONDS);
    try {
      holder.query("begin").execute().await(10, TimeUnit.SECONDS);
      holder.preparedQuery("select 1 from help_request where id = $1 for update").execute(Tuple.of(id))
          .await(10, TimeUnit.SECONDS);
      assertEquals(Optional.empty(), lockDue(id));
      holder.query("rollback").execute().await(10, TimeUnit.SECONDS);
    } finally {
      holder.close().await(10, TimeUnit.SECONDS);
    }
    assertTrue(lockDue(id).isPresent());
  }

  private static Optional<MatchStore.Locked> lockDue(UUID id) throws Exception {
    return app.app().database().pool().withTransaction(tx -> MatchStore.lockDue(tx, id)).await(10, TimeUnit.SECONDS);
  }
}
