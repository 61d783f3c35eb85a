package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The nearby page written as bytes")
class NearbyJsonTest {
  private static final Instant NOW = Instant.parse("2026-05-12T08:00:00Z");
  private static final String[] TITLES = {"Koffie-ochtend", "Bingo \"de Vecht\"", "Café & één taart", "Tab\there",
      "Slash \\ back", "Ünïcödé 🙂", "Line\nbreak", "<script>"};

  private static Activity activity(Random random, long seq, long version, String title) {
    UUID org = new UUID(0, 1 + seq % 3);
    Venue venue = new Venue(new UUID(1, seq), org, "Zaal " + seq, random.nextBoolean() ? null : "Straat " + seq,
        52.05 + random.nextDouble() * 0.08, 5.0 + random.nextDouble() * 0.15, "WK034403", "Overvecht",
        "BU03440331", "Vechtzoom-zuid", NOW);
    Schedule schedule;
    if (random.nextInt(4) == 0) {
      Instant start = NOW.plus(Duration.ofMinutes(30 + random.nextInt(60 * 24 * 40)));
      schedule = new Schedule.Once(start, start.plus(Duration.ofMinutes(30 + random.nextInt(300))));
    } else {
      int hour = 8 + random.nextInt(12);
      schedule = new Schedule.Weekly(DayOfWeek.of(1 + random.nextInt(7)), LocalTime.of(hour, random.nextInt(4) * 15),
          LocalTime.of(hour + 1, 45), LocalDate.of(2026, 1, 1), LocalDate.of(2027, 6, 30));
    }
    return new Activity(new UUID(2, seq), seq, version, org, "Buurtcentrum \"" + (seq % 3) + "\"", venue, title,
        "", Category.values()[random.nextInt(Category.values().length)], schedule,
        new Cost(random.nextInt(500), random.nextBoolean()), new Accessibility(random.nextBoolean(), random.nextBoolean()),
        1 + random.nextInt(40), Activity.ACTIVE, NOW, NOW);
  }

  private static ActivityQuery query(Random random) {
    return new ActivityQuery(52.05 + random.nextDouble() * 0.08, 5.0 + random.nextDouble() * 0.15,
        500 + random.nextInt(4000), random.nextInt(4) == 0 ? Optional.of(DayOfWeek.of(1 + random.nextInt(7)))
        : Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), false, false);
  }

  /** What the listing wrote before: the JsonObject mapping, serialised. */
  private static String expected(List<NearbyActivity> items, Optional<String> cursor) {
    JsonObject page = ActivityJson.items(items, ActivityJson::nearby).put("nextCursor", cursor.orElse(null));
    return page.encode();
  }

  private static void assertSamePages(NearbyJson json, ActivityIndex index, Random random, Instant now) {
    for (int q = 0; q < 200; q++) {
      List<NearbyActivity> all = index.near(query(random), now);
      List<NearbyActivity> page = all.subList(0, Math.min(all.size(), 1 + random.nextInt(30)));
      // Cursors as the listing makes them (base64url), and odd ones that take the escaping path.
      Optional<String> cursor = switch (random.nextInt(3)) {
        case 0 -> Optional.empty();
        case 1 -> Optional.of("eyJkIjoxMjMuNCwi-_" + q);
        default -> Optional.of("eyJkIjoxMjMuNCwi" + q + "\"x");
      };
      assertEquals(expected(page, cursor), json.page(page, cursor).toString("UTF-8"));
    }
  }

  @Test
  @DisplayName("is byte for byte the JsonObject mapping, also for escapes, unicode, one-off and weekly sessions")
  void sameBytes() {
    Random random = new Random(7);
    List<Activity> activities = new ArrayList<>();
    for (int i = 1; i <= 400; i++) {
      activities.add(activity(random, i, 1, TITLES[i % TITLES.length] + " " + i));
    }
    ActivityIndex index = ActivityIndex.of(activities);
    NearbyJson json = new NearbyJson(10_000);
    assertSamePages(json, index, random, NOW);
    assertTrue(json.size() > 100, "items were encoded once and kept");
    // Asked again: from the kept bytes, still the same.
    assertSamePages(json, index, new Random(7), NOW);
  }

  @Test
  @DisplayName("quotes a string as Json.encode does: plain ASCII as it is, anything needing an escape through it")
  void strings() {
    List<String> texts = new ArrayList<>(List.of("", "a", "eyJkIjoxMjMuNCwi-_09AZaz", "a/b", "a b", "~", "quote\"",
        "back\\slash", "tab\t", "nul\u0000", "del\u007f", "\u0080", "é", "🙂", "\u2028", "<script>&'"));
    for (char c = 0; c < 0x100; c++) {
      texts.add("x" + c + "y");
    }
    for (String text : texts) {
      Buffer out = Buffer.buffer();
      NearbyJson.appendString(out, text);
      assertEquals(io.vertx.core.json.Json.encode(text), out.toString(StandardCharsets.UTF_8), text);
    }
    NearbyCursor cursor = new NearbyCursor(1234.5, NOW, new UUID(3, 4), "q");
    Buffer out = Buffer.buffer();
    NearbyJson.appendString(out, cursor.encode());
    assertEquals(io.vertx.core.json.Json.encode(cursor.encode()), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("writes every distance in tenths up to 1,000 km as Double.toString does, and larger ones through it")
  void distances() {
    for (long tenths = 0; tenths < NearbyJson.DIGITS_LIMIT; tenths++) {
      Buffer out = Buffer.buffer(16);
      NearbyJson.appendTenths(out, tenths);
      String expected = Double.toString(tenths / 10.0);
      if (!expected.equals(out.toString(StandardCharsets.US_ASCII))) {
        assertEquals(expected, out.toString(StandardCharsets.US_ASCII), "tenths " + tenths);
      }
    }
    for (long tenths : new long[] {NearbyJson.DIGITS_LIMIT, 123_456_789L, Long.MAX_VALUE / 10, -1, -25}) {
      Buffer out = Buffer.buffer(16);
      NearbyJson.appendTenths(out, tenths);
      assertEquals(Double.toString(tenths / 10.0), out.toString(StandardCharsets.US_ASCII), "tenths " + tenths);
    }
  }

  @Test
  @DisplayName("follows an activity's change and the passing of its sessions")
  void followsChanges() {
    Random random = new Random(11);
    List<Activity> activities = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      activities.add(activity(random, i, 1, "Activiteit " + i));
    }
    ActivityIndex index = ActivityIndex.of(activities);
    NearbyJson json = new NearbyJson(10_000);
    assertSamePages(json, index, new Random(3), NOW);
    // Every activity renamed (a new indexed summary): the page shows the new titles.
    for (Activity a : activities) {
      index.apply(new Activity(a.id(), a.seq(), 2, a.organisationId(), a.organisationName(), a.venue(),
          "Nieuw: " + a.title(), "", a.category(), a.schedule(), a.cost(), a.accessibility(), a.capacity(),
          a.status(), a.createdAt(), NOW));
    }
    List<NearbyActivity> renamed = index.near(new ActivityQuery(52.09, 5.08, 20_000, Optional.empty(),
        Optional.empty(), Optional.empty(), Set.of(), false, false), NOW);
    String page = json.page(renamed, Optional.empty()).toString("UTF-8");
    assertTrue(page.contains("Nieuw: Activiteit"), page.substring(0, 200));
    assertEquals(expected(renamed, Optional.empty()), page);
    // Eight days later every weekly activity's next session has moved on.
    assertSamePages(json, index, new Random(3), NOW.plus(Duration.ofDays(8)));
  }

  @Test
  @DisplayName("keeps at most its limit of encoded items")
  void bounded() {
    Random random = new Random(5);
    List<Activity> activities = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      activities.add(activity(random, i, 1, "Activiteit " + i));
    }
    ActivityIndex index = ActivityIndex.of(activities);
    NearbyJson json = new NearbyJson(50);
    assertSamePages(json, index, random, NOW);
    assertTrue(json.size() <= 50, "size " + json.size());
  }
}
