package nl.omzien.activities;

import io.vertx.core.buffer.Buffer;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import nl.omzien.bench.BenchData;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.GeoPoint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The in-process part of a nearby-activities listing: the index search with its order, and the page's bytes (the
 * first 20 items). Placed as the generated city places them: a buurtcentrum per ~15,000 inhabitants in each wijk's
 * biggest buurten, four weekly activities each; queries where Utrecht's 65+ live, radius 1-2.5 km, as the load
 * plan asks. It sits in this package because {@link NearbyJson} is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class NearbyListingBenchmark {
  private static final Instant NOW = Instant.parse("2026-11-24T09:00:00Z");
  private static final int PAGE = 20;

  private ActivityIndex index;
  private NearbyJson json;
  private ActivityQuery[] queries;
  private int next;

  @Setup
  public void setUp() {
    AreaIndex areas = AreaIndex.loadUtrecht();
    List<Activity> activities = new ArrayList<>();
    long seq = 0;
    for (AreaIndex.Wijk wijk : areas.wijken()) {
      int centres = Math.max(1, Math.round(wijk.population() / 15_000f));
      List<AreaIndex.Buurt> biggest = areas.buurten().stream().filter(b -> b.wijkCode().equals(wijk.code()))
          .sorted(Comparator.comparingInt(AreaIndex.Buurt::population).reversed()).limit(centres).toList();
      for (AreaIndex.Buurt buurt : biggest) {
        UUID org = new UUID(0, seq);
        Venue venue = new Venue(new UUID(1, seq), org, "Buurtcentrum " + buurt.name(), "Demo-adres, Utrecht",
            buurt.centroid().lat(), buurt.centroid().lon(), wijk.code(), wijk.name(), buurt.code(), buurt.name(), NOW);
        for (int a = 0; a < 4; a++) {
          seq++;
          Schedule schedule = new Schedule.Weekly(DayOfWeek.of(1 + (int) (seq % 5)), LocalTime.of(a % 2 == 0 ? 10 : 14, 0),
              LocalTime.of(a % 2 == 0 ? 12 : 16, 0), LocalDate.of(2025, 10, 1), LocalDate.of(2027, 3, 31));
          activities.add(new Activity(new UUID(2, seq), seq, 1, org, venue.name(), venue, "Koffie-ochtend " + seq,
              "Wekelijks.", Category.values()[(int) (seq % Category.values().length)], schedule, new Cost(150, false),
              new Accessibility(seq % 2 == 0, false), 40, Activity.ACTIVE, NOW, NOW));
        }
      }
    }
    index = ActivityIndex.of(activities);
    json = new NearbyJson(10_000);
    SplittableRandom random = new SplittableRandom(42);
    queries = new ActivityQuery[2000];
    for (int i = 0; i < queries.length; i++) {
      GeoPoint p = BenchData.utrechtPoint(areas, random, true);
      queries[i] = new ActivityQuery(p.lat(), p.lon(), 1000 + random.nextInt(1501), Optional.empty(), Optional.empty(),
          Optional.empty(), Set.of(), false, false);
    }
  }

  /** One listing's first page, from a different point each call. */
  @Benchmark
  public Buffer listing() {
    ActivityQuery query = queries[next];
    next = (next + 1) % queries.length;
    List<NearbyActivity> found = index.near(query, NOW);
    return json.page(found.subList(0, Math.min(PAGE, found.size())), Optional.empty());
  }
}
