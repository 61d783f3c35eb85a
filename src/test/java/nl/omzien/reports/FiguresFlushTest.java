package nl.omzien.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import nl.omzien.matching.MatchFixture;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V16: the flush finds the marked requests' fact rows and declines through the primary keys. Before, with a hundred
 * or more marked requests, the planner hashed the whole fact table and the whole decline table to find them, on
 * every flush, a cost growing with the history kept. Counted with PostgreSQL's per-transaction table statistics.
 */
@DisplayName("The figures' flush reads the marked requests' facts by index, not the whole fact tables")
@ExtendWith(BlockedThreadWatch.class)
class FiguresFlushTest {
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("figures-flush", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("12,000 requests with facts, 100 of them marked: no sequential scan of figures_request or "
      + "figures_decline, and their facts are current")
  void flushByIndex() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID volunteer = f.resident("Helper", 0).id();
    UUID other = f.resident("Andere helper", 0).id();
    f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at, created_at) select gen_random_uuid(), $1, $1, 'respite', 'completed', 'normal', '{}', "
        + "52.09, 5.02, now(), now() - g * interval '40 minutes' from generate_series(1, 12000) g", resident);
    // Every third request has a declined offer: the decline table is a third of the fact table's size.
    f.sql("insert into offer (id, request_id, volunteer_id, round, status, decline_reason, score, breakdown, "
        + "distance_m) select gen_random_uuid(), r.id, $1, 1, 'declined', 'too_far', 0.5, '{}', 100 "
        + "from (select id, row_number() over (order by id) as n from help_request) r where r.n % 3 = 0",
        volunteer);
    f.sql("select figures_flush()");
    f.sql("analyze figures_request");
    f.sql("analyze figures_decline");
    assertEquals(12000, f.count("select count(*) from figures_request"));
    assertEquals(4000, f.count("select count(*) from figures_decline"));

    UUID[] marked = f.rows("select id from help_request order by created_at desc limit 100").stream()
        .map(r -> r.getUUID(0)).toArray(UUID[]::new);
    // What the flush must see: half of them went on to be matched, and each got one more decline.
    f.sql("update help_request set status = 'matched', volunteer_id = $2, matched_at = now() "
        + "where id = any ($1) and created_at < now() - interval '2020 minutes'", marked, volunteer);
    f.sql("insert into offer (id, request_id, volunteer_id, round, status, decline_reason, score, breakdown, "
        + "distance_m) select gen_random_uuid(), i, $2, 2, 'declined', 'no_time', 0.5, '{}', 100 "
        + "from unnest($1::uuid[]) i", marked, other);
    f.sql("delete from figures_dirty");

    // The backend's counts not yet reported (those of earlier transactions on the connection included), before
    // and after the flush: the difference is the flush's.
    String counts = "select relname, seq_scan, idx_scan from pg_stat_xact_user_tables where relname = any ($1)";
    Tuple tables = Tuple.of(new String[] {"figures_decline", "figures_request"});
    Map<String, Scans> scans = app.app().database().pool().withTransaction(c -> c
            .preparedQuery(counts).execute(tables).map(FiguresFlushTest::byTable)
            .compose(before -> c.preparedQuery("select figures_refresh_now($1)").execute(Tuple.of(marked))
                .compose(v -> c.preparedQuery(counts).execute(tables))
                .map(after -> {
                  Map<String, Scans> made = new HashMap<>(byTable(after));
                  made.replaceAll((table, now) -> now.minus(before.get(table)));
                  return made;
                })))
        .await(30, TimeUnit.SECONDS);
    assertEquals(0L, scans.get("figures_request").seq(), () -> "sequential scans: " + scans);
    assertEquals(0L, scans.get("figures_decline").seq(), () -> "sequential scans: " + scans);
    assertTrue(scans.get("figures_request").index() > 0, () -> "index scans: " + scans);
    assertTrue(scans.get("figures_decline").index() > 0, () -> "index scans: " + scans);

    // And the facts are what their definition says: statuses, matched volunteers, declines by reason.
    assertEquals(0, f.count("select count(*) from (select * from figures_request except "
        + "select * from figures_request_source) d"));
    assertEquals(0, f.count("select count(*) from (select f.request_id, f.reason, f.declined from figures_decline f "
        + "except select request_id, reason, declined from figures_decline_source) d"));
    assertEquals(50, f.count("select count(*) from figures_request where request_id = any ($1) and status = "
        + "'matched' and volunteer_id = $2", marked, volunteer));
    assertEquals(100, f.count("select count(*) from figures_decline where request_id = any ($1) and reason = "
        + "'no_time'", (Object) marked));
    assertTrue(f.count("select count(*) from figures_request where request_id = any ($1) and offers_declined = 2",
        (Object) marked) > 20);
  }

  /** A table's sequential and index scans. */
  private record Scans(long seq, long index) {
    Scans minus(Scans before) {
      return new Scans(seq - before.seq, index - before.index);
    }
  }

  private static Map<String, Scans> byTable(RowSet<Row> rows) {
    return rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> new Scans(r.getLong(1), r.getLong(2))));
  }
}
