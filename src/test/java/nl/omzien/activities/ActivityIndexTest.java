package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import nl.omzien.geo.Distances;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The activity index")
class ActivityIndexTest {
  private static final Instant NOW = Instant.parse("2025-05-12T08:00:00Z");

  private static Activity activity(long seq, long version, double lat, double lon, Category category,
                                   boolean wheelchair, boolean hearingLoop, DayOfWeek day, int hour, String status) {
    UUID org = new UUID(0, 1);
    Venue venue = new Venue(new UUID(1, seq), org, "Zaal", null, lat, lon, "WK034403", "Overvecht", "BU03440331",
        "Vechtzoom-zuid", NOW);
    Schedule schedule = new Schedule.Weekly(day, LocalTime.of(hour, 0), LocalTime.of(hour + 1, 0),
        LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31));
    return new Activity(new UUID(2, seq), seq, version, org, "Org", venue, "Activiteit " + seq, "", category, schedule,
        new Cost(0, false), new Accessibility(wheelchair, hearingLoop), 10, status, NOW, NOW);
  }

  private static List<Activity> random(Random random, int n) {
    List<Activity> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(activity(i, 1, 52.05 + random.nextDouble() * 0.08, 5.0 + random.nextDouble() * 0.15,
          Category.values()[random.nextInt(Category.values().length)], random.nextBoolean(), random.nextBoolean(),
          DayOfWeek.of(1 + random.nextInt(7)), 8 + random.nextInt(12), random.nextInt(10) == 0 ? "cancelled" : "active"));
    }
    return out;
  }

  private static List<UUID> bruteForce(List<Activity> all, ActivityQuery query) {
    return all.stream()
        .filter(Activity::active)
        .filter(a -> Distances.haversineMeters(query.lat(), query.lon(), a.venue().lat(), a.venue().lon())
            <= query.radiusMeters())
        .filter(a -> query.fitsStatically(a.summary()))
        .filter(a -> ActivityIndex.nextFitting(a.summary(), query, NOW).isPresent())
        .sorted(Comparator.comparingDouble((Activity a) -> Distances.haversineMeters(query.lat(), query.lon(),
            a.venue().lat(), a.venue().lon())).thenComparing(a -> a.schedule().nextOccurrence(NOW).orElseThrow()
            .startsAt().toInstant()).thenComparing(Activity::id))
        .map(Activity::id)
        .toList();
  }

  @Test
  @DisplayName("breaks ties of distance by the next session's start, then by id, as the brute-force order does")
  void ties() {
    Random random = new Random(9);
    double[][] venues = new double[8][];
    for (int v = 0; v < venues.length; v++) {
      venues[v] = new double[] {52.07 + random.nextDouble() * 0.03, 5.08 + random.nextDouble() * 0.06};
    }
    List<Activity> all = new ArrayList<>();
    for (int i = 1; i <= 400; i++) { // 50 activities per venue, 3 start hours, 7 days: many equal distances and starts
      double[] venue = venues[random.nextInt(venues.length)];
      all.add(activity(i, 1, venue[0], venue[1], Category.values()[random.nextInt(Category.values().length)], false,
          false, DayOfWeek.of(1 + random.nextInt(7)), 9 + 2 * random.nextInt(3), "active"));
    }
    ActivityIndex index = ActivityIndex.of(all);
    int tied = 0;
    for (int q = 0; q < 50; q++) {
      ActivityQuery query = new ActivityQuery(52.07 + random.nextDouble() * 0.03, 5.08 + random.nextDouble() * 0.06,
          1000 + random.nextInt(5000), Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), false, false);
      List<NearbyActivity> found = index.near(query, NOW);
      assertEquals(bruteForce(all, query), found.stream().map(n -> n.activity().id()).toList(), query::toString);
      for (int i = 1; i < found.size(); i++) {
        if (found.get(i).distanceMeters() == found.get(i - 1).distanceMeters()
            && found.get(i).next().startsAt().equals(found.get(i - 1).next().startsAt())) {
          tied++;
        }
      }
    }
    assertTrue(tied > 1000, "the queries met ties in distance and start: " + tied);
  }

  @Test
  @DisplayName("answers exactly as a brute-force filter over 2,000 random activities and 200 random queries")
  void oracle() {
    Random random = new Random(42);
    List<Activity> all = random(random, 2000);
    ActivityIndex index = ActivityIndex.of(all);
    for (int q = 0; q < 200; q++) {
      Optional<DayOfWeek> day = random.nextBoolean() ? Optional.of(DayOfWeek.of(1 + random.nextInt(7))) : Optional.empty();
      Optional<LocalTime> from = random.nextBoolean() ? Optional.of(LocalTime.of(8 + random.nextInt(8), 0)) : Optional.empty();
      Optional<LocalTime> to = from.map(f -> f.plusHours(2 + random.nextInt(6)));
      Set<Category> categories = random.nextBoolean() ? Set.of(Category.values()[random.nextInt(8)]) : Set.of();
      ActivityQuery query = new ActivityQuery(52.05 + random.nextDouble() * 0.08, 5.0 + random.nextDouble() * 0.15,
          100 + random.nextInt(5000), day, from, to, categories, random.nextBoolean(), random.nextBoolean());
      List<UUID> got = index.near(query, NOW).stream().map(n -> n.activity().id()).toList();
      assertEquals(bruteForce(all, query), got, query::toString);
    }
  }

  @Test
  @DisplayName("as time passes (and a clock goes back) one index shows each activity's next session as computed afresh")
  void nextSessionsFollowTime() {
    Random random = new Random(9);
    List<Activity> all = random(random, 1500);
    ActivityIndex index = ActivityIndex.of(all);
    List<java.time.Duration> offsets = List.of(java.time.Duration.ZERO, java.time.Duration.ofMinutes(30),
        java.time.Duration.ofHours(2), java.time.Duration.ofHours(11), java.time.Duration.ofDays(1),
        java.time.Duration.ofDays(3), java.time.Duration.ofDays(8), java.time.Duration.ofDays(40),
        java.time.Duration.ofDays(300), java.time.Duration.ZERO, java.time.Duration.ofDays(2));
    for (java.time.Duration offset : offsets) {
      Instant now = NOW.plus(offset);
      for (int q = 0; q < 40; q++) {
        Optional<DayOfWeek> day = random.nextBoolean() ? Optional.of(DayOfWeek.of(1 + random.nextInt(7)))
            : Optional.empty();
        ActivityQuery query = new ActivityQuery(52.05 + random.nextDouble() * 0.08, 5.0 + random.nextDouble() * 0.15,
            500 + random.nextInt(5000), day, Optional.empty(), Optional.empty(), Set.of(), false, false);
        List<String> expected = all.stream()
            .filter(Activity::active)
            .filter(a -> Distances.haversineMeters(query.lat(), query.lon(), a.venue().lat(), a.venue().lon())
                <= query.radiusMeters())
            .flatMap(a -> ActivityIndex.nextFitting(a.summary(), query, now).stream().map(o -> a.id() + "@" + o))
            .sorted().toList();
        List<String> got = index.near(query, now).stream().map(n -> n.activity().id() + "@" + n.next())
            .sorted().toList();
        assertEquals(expected, got, offset + " " + query);
      }
    }
  }

  @Test
  @DisplayName("ignores a write older than one it already applied, so a late update cannot resurrect a cancel")
  void versionOrdering() {
    Activity v1 = activity(1, 1, 52.1, 5.1, Category.BEWEGEN, true, true, DayOfWeek.MONDAY, 10, "active");
    Activity v2 = activity(1, 2, 52.1, 5.1, Category.BEWEGEN, true, true, DayOfWeek.MONDAY, 10, "cancelled");
    ActivityIndex index = ActivityIndex.of(List.of());
    index.apply(v2);
    index.apply(v1);
    assertEquals(0, index.size());
    index.apply(activity(1, 3, 52.1, 5.1, Category.BEWEGEN, true, true, DayOfWeek.MONDAY, 10, "active"));
    assertEquals(1, index.size());
  }

  @Test
  @DisplayName("stays consistent while readers query and a writer cancels and re-adds activities concurrently")
  void concurrentReadsAndWrites() throws Exception {
    Random random = new Random(3);
    List<Activity> all = new ArrayList<>(random(random, 500).stream()
        .map(a -> activity(a.seq(), 1, a.venue().lat(), a.venue().lon(), a.category(), true, true,
            DayOfWeek.MONDAY, 10, "active")).toList());
    ActivityIndex index = ActivityIndex.of(all);
    ActivityQuery everything = ActivityQuery.near(52.09, 5.08, 50_000);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          for (int i = 0; i < 300; i++) {
            List<NearbyActivity> found = index.near(everything, NOW);
            assertTrue(found.size() >= 400 && found.size() <= 500, "size " + found.size());
            assertEquals(found.size(), found.stream().map(n -> n.activity().id()).distinct().count());
          }
        }));
      }
      for (int v = 2; v < 200; v++) {
        Activity a = all.get(v % 100);
        index.apply(activity(a.seq(), v, a.venue().lat(), a.venue().lon(), a.category(), true, true,
            DayOfWeek.MONDAY, 10, v % 2 == 0 ? "cancelled" : "active"));
      }
      for (Future<?> reader : readers) {
        reader.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // Each of the first 100 ended on its last write: cancelled for even versions.
    assertEquals(450, index.near(everything, NOW).size());
    for (int k = 0; k < 100; k++) {
      Activity a = all.get(k);
      index.apply(activity(a.seq(), 1000, a.venue().lat(), a.venue().lon(), a.category(), true, true,
          DayOfWeek.MONDAY, 10, "active"));
    }
    assertEquals(500, index.near(everything, NOW).size());
  }
}
