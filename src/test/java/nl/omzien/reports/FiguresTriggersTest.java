package nl.omzien.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.matching.MatchFixture;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The figures' statement-level triggers fire for every statement. V15: a statement that changed no row, or changed
 * nothing a figure reads, makes no figures_mark call (a lost accept race is two such statements); one that can move a
 * figure marks its request as before. Counted with PostgreSQL's per-transaction function statistics.
 */
@DisplayName("The figures' triggers call figures_mark only for changes that can move a figure")
@ExtendWith(BlockedThreadWatch.class)
class FiguresTriggersTest {
  /**
   * The functions that write marks: figures_mark (the update and delete triggers) and the insert triggers of V21,
   * which mark in one statement of their own. A trigger that decides there is nothing to mark calls none of them.
   */
  private static final List<String> MARKING = List.of("figures_mark", "figures_on_request_insert",
      "figures_on_offer_insert", "figures_on_history_escalated");
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("figures-triggers", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("no row, pending -> filled, a plain history entry: no call; a decline and an escalation: marked")
  void marksOnlyWhatMoves() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID volunteer = f.resident("Helper", 0).id();
    UUID request = UUID.randomUUID();
    f.offeredRequest(request, resident);
    UUID offer = UUID.randomUUID();
    f.sql("insert into offer (id, request_id, volunteer_id, round, score, breakdown, distance_m) "
        + "values ($1, $2, $3, 1, 0.5, '{}', 100)", offer, request, volunteer);

    assertEquals(List.of(0L, 0L, 0L), marks(
        // an accept that lost the race: its conditional updates change no row
        "update help_request set status = 'matched' where id = '" + UUID.randomUUID() + "'",
        "update offer set status = 'accepted' where id = '" + offer + "' and status = 'accepted'",
        // a match fills the other offers: no figure reads pending or filled apart
        "update offer set status = 'filled' where id = '" + offer + "'",
        "insert into help_request_history (request_id, from_status, to_status) "
            + "values ('" + request + "', 'offered', 'open')"));

    assertEquals(List.of(2L, 1L, 0L), marks(
        "update offer set status = 'declined', decline_reason = 'too_far' where id = '" + offer + "'",
        "insert into help_request_history (request_id, from_status, to_status) "
            + "values ('" + request + "', 'open', 'escalated')"));
  }

  @Test
  @DisplayName("a new companionship request marks itself, not its resident; its resident is marked when an earlier "
      + "request's match changes under a later one, or a matched request is inserted (issue #6)")
  void residentMarkedOnlyWhenAnotherRequestCanMove() throws Exception {
    f.reset();
    UUID resident = f.resident("Bewoner", 0).id();
    UUID volunteer = f.resident("Bezoeker", 0).id();
    UUID other = f.resident("Andere bezoeker", 0).id();
    UUID earlier = UUID.randomUUID();
    f.sql(companionship(earlier, resident, "now() - interval '14 days'", volunteer));
    UUID later = UUID.randomUUID();
    String insertLater = companionship(later, resident, "now()", null);

    // A resident with a year of weekly visits has ~50 companionship requests: a resident mark recomputes them all.
    assertEquals(List.of(1L, 1L, 0L), marks(insertLater), "a new request is nobody's previous request");
    assertEquals(List.of(2L, 1L, 0L), marks(insertLater, matched(later, volunteer)),
        "the newest request's match moves its own facts only");
    assertEquals(List.of(1L, 1L, 0L), marks(matched(earlier, other)),
        "the match of the resident's newest request changes, no later one");
    assertEquals(List.of(2L, 2L, 1L), marks(insertLater, matched(earlier, other)),
        "a later request's repeat_same reads the earlier request's volunteer");
    assertEquals(List.of(1L, 1L, 1L), marks(companionship(UUID.randomUUID(), resident, "now() - interval '20 days'",
        volunteer)), "a request inserted matched can be a later one's previous request");
  }

  /** A companionship request of the resident created at the SQL time, matched with the volunteer unless null. */
  private static String companionship(UUID id, UUID resident, String createdAt, UUID volunteer) {
    return "insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at, created_at, matched_at, volunteer_id) values ('" + id + "', '" + resident + "', '"
        + resident + "', 'companionship', '" + (volunteer == null ? "open" : "matched") + "', 'normal', '{}', 52.09, "
        + "5.02, now(), " + createdAt + ", " + (volunteer == null ? "null, null" : createdAt + ", '" + volunteer + "'")
        + ")";
  }

  private static String matched(UUID request, UUID volunteer) {
    return "update help_request set status = 'matched', matched_at = now(), volunteer_id = '" + volunteer
        + "' where id = '" + request + "'";
  }

  /**
   * Runs the statements in one transaction (rolled back) and answers [calls of {@link #MARKING}, requests marked in
   * figures_dirty, residents marked].
   */
  private static List<Long> marks(String... statements) throws Exception {
    return app.app().database().pool().withConnection(c -> c.begin().compose(tx -> {
      // Marks of the set-up (committed, not flushed yet) out of the way, in this transaction only; and the calls
      // counted so far: the view also shows this backend's earlier transactions until their statistics are flushed
      // (at most once a second), such as the set-up's inserts on this connection.
      Future<List<Long>> before = c.query("set local track_functions = 'all'").execute()
          .compose(v -> c.query("delete from figures_dirty").execute())
          .compose(v -> counts(c));
      Future<?> done = before;
      for (String sql : statements) {
        done = done.compose(v -> c.query(sql).execute());
      }
      return done.compose(v -> counts(c))
          .map(after -> List.of(after.get(0) - before.result().get(0), after.get(1), after.get(2)))
          .eventually(() -> tx.rollback());
    })).await(10, TimeUnit.SECONDS);
  }

  private static Future<List<Long>> counts(SqlConnection c) {
    return c.preparedQuery("select (select coalesce(sum(calls), 0) from pg_stat_xact_user_functions "
            + "where funcname = any ($1))::bigint, count(distinct id) filter (where kind = 'request'), "
            + "count(distinct id) filter (where kind = 'resident') from figures_dirty")
        .execute(Tuple.of(MARKING.toArray(String[]::new)))
        .map(rows -> {
          Row row = rows.iterator().next();
          return List.of(row.getLong(0), row.getLong(1), row.getLong(2));
        });
  }
}
