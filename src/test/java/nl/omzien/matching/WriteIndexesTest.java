package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V14 dropped two indexes that every request and offer write paid for (help_request_wijk_status, offer_request).
 * The statements that used them still find their rows through an index, on a year-like table of mostly finished
 * requests, reading a handful of pages.
 */
@DisplayName("Without the dropped indexes, waiting requests of a wijk and a request's offers are still found by index")
@ExtendWith(BlockedThreadWatch.class)
class WriteIndexesTest {
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("write-indexes", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("12,000 finished requests with 3 offers each, 48 waiting: the escalated count and closing offers")
  void indexesStillServe() throws Exception {
    f.reset();
    List<UUID> people = List.of(f.resident("Een", 0).id(), f.resident("Twee", 0).id(), f.resident("Drie", 0).id());
    UUID resident = people.get(0);
    List<String> wijken = f.rows("select code from wijk order by code").stream().map(r -> r.getString(0)).toList();
    assertTrue(wijken.size() >= 2, "the test database has the wijken");
    f.sql("insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, wijk_code, "
        + "first_starts_at, created_at) select gen_random_uuid(), $1, $1, 'respite', "
        + "case when g % 500 = 0 then 'escalated' when g % 500 = 1 then 'offered' else 'completed' end, 'normal', "
        + "'{}', 52.09, 5.02, ($2::text[])[1 + g % cardinality($2::text[])], now(), now() - g * interval '2 hours' "
        + "from generate_series(1, 12000) g", resident, wijken.toArray(String[]::new));
    f.sql("insert into offer (id, request_id, volunteer_id, round, status, score, breakdown, distance_m) "
        + "select gen_random_uuid(), r.id, p, 1, case when r.status = 'offered' then 'pending' else 'declined' end, "
        + "0.5, '{}', 100 from help_request r cross join unnest($1::uuid[]) p", (Object) people.toArray(UUID[]::new));
    f.sql("analyze help_request");
    f.sql("analyze offer");

    String wijk = f.rows("select wijk_code from help_request where status = 'escalated' limit 1").get(0).getString(0);
    long escalated = f.count("select count(*) from help_request where wijk_code = $1 and status = 'escalated'", wijk);
    assertEquals(escalated, f.rows(MatchStore.ESCALATED_WAITING, wijk).get(0).getInteger(0).longValue());
    long requestPages = f.count("select relpages from pg_class where relname = 'help_request'");
    assertTrue(requestPages > 200, "pages: " + requestPages);
    // The wijk's waiting rows and their heap pages, not the table.
    assertIndexed(analyzed(MatchStore.ESCALATED_WAITING, wijk), "help_request_waiting", requestPages / 4);

    UUID offered = f.rows("select id from help_request where status = 'offered' limit 1").get(0).getUUID(0);
    JsonObject close = analyzed(MatchStore.CLOSE_OFFERS, offered, "filled");
    long offerPages = f.count("select relpages from pg_class where relname = 'offer'");
    // Three offers found and rewritten (with their index entries), not the table read.
    assertIndexed(close, "offer_", offerPages / 4);
    assertEquals(3, close.getLong("Actual Rows", -1L), close.encode());
  }

  /** The plan of a statement run (in a transaction rolled back: CLOSE_OFFERS writes). */
  private static JsonObject analyzed(String sql, Object... params) throws Exception {
    var pool = app.app().database().pool();
    return pool.withConnection(c -> c.begin().compose(tx -> c.preparedQuery("explain (analyze, buffers, format json) "
            + sql).execute(Tuple.from(params)).eventually(() -> tx.rollback())))
        .await(10, TimeUnit.SECONDS)
        .iterator().next().getJsonArray(0).getJsonObject(0).getJsonObject("Plan");
  }

  private static void assertIndexed(JsonObject plan, String index, long maxBuffers) {
    String text = plan.encode();
    assertFalse(text.contains("Seq Scan"), text);
    assertTrue(text.contains("\"Index Name\":\"" + index), text);
    long buffers = plan.getLong("Shared Hit Blocks", 0L) + plan.getLong("Shared Read Blocks", 0L);
    assertTrue(buffers <= maxBuffers, "buffers: " + buffers + " in " + text);
  }
}
