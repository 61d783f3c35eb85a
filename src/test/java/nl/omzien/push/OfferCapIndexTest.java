package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
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
 * The offer cap's count (PushOutbox.FACTS) for a volunteer with thousands of suppressed offer pushes in the window:
 * it reads the few rows the cap counts from V19's index, not every offer push of the window.
 */
@DisplayName("The offer cap counts from an index of the pushes it counts, however many were suppressed")
@ExtendWith(BlockedThreadWatch.class)
class OfferCapIndexTest {
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("offer-cap-index", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("2,988 suppressed and 14 counted offer pushes in the window: the count is 14, from a handful of pages")
  void fewPages() throws Exception {
    UUID busy = f.resident("Druk", 0).id();
    UUID quiet = f.resident("Rustig", 0).id();
    // Interleaved in time, as a busy wijk writes them: counted ones early and late, suppressed ones in between.
    f.sql("insert into push_outbox (id, user_id, kind, status, due_at, created_at) "
        + "select gen_random_uuid(), $1, 'offer_made', "
        + "case when g % 500 = 0 then 'sent' when g % 500 = 1 then 'dead' else 'suppressed' end, now(), "
        + "now() - g * interval '20 seconds' from generate_series(0, 3001) g", busy);
    f.sql("insert into push_outbox (id, user_id, kind, status, due_at, created_at) "
        + "select gen_random_uuid(), $1, 'offer_made', 'sent', now(), now() - interval '2 days' "
        + "from generate_series(1, 50) g", quiet);
    f.sql("analyze push_outbox");
        Tuple params = Tuple.of(new UUID[] {busy, quiet}, new UUID[] {busy, quiet},
        OffsetDateTime.now(ZoneOffset.UTC).minusDays(1), 16);
    Map<UUID, Long> counted = new HashMap<>();
    for (Row row : app.app().database().pool().preparedQuery(PushOutbox.FACTS).execute(params)
        .await(10, TimeUnit.SECONDS)) {
      counted.put(row.getUUID("id"), row.getLong("offers"));
    }
    // All 3,002 lie within the 24 hours (one per 20 s); 14 of them count (g % 500 is 0 or 1), under the limit of 16.
    assertEquals(Map.of(busy, 14L, quiet, 0L), counted);

    JsonObject plan = app.app().database().pool()
        .preparedQuery("explain (analyze, buffers, format json) " + PushOutbox.FACTS).execute(params)
        .await(10, TimeUnit.SECONDS).iterator().next().getJsonArray(0).getJsonObject(0).getJsonObject("Plan");
    String text = plan.encode();
    assertTrue(text.contains("\"Index Name\":\"push_outbox_offer_cap\""), text);
    long buffers = plan.getLong("Shared Hit Blocks", 0L) + plan.getLong("Shared Read Blocks", 0L);
    assertTrue(buffers <= 30, "buffers: " + buffers + " in " + text);
  }
}
