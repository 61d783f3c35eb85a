package nl.omzien.geo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PointIndexTest {

    /** Payload: a tag the filters look at, and a version so concurrent readers can check positions. */
    record Vol(int tag, long version) {
    }

    private static final PointIndex.Options NO_AUTO_COMPACTION =
            PointIndex.Options.defaults().withCompactionExecutor(null);

    private static AreaIndex areas;
    private static List<double[]> borderPoints;

    @BeforeAll
    static void load() {
        areas = AreaIndex.loadUtrecht();
        borderPoints = new ArrayList<>();
        for (AreaIndex.Wijk w : areas.wijken()) {
            w.rings().forEach(borderPoints::addAll);
        }
    }

    /** The specification: filter, haversine, keep {@code d <= radius}, sort by (distance, id), take k. */
    static final class Oracle {
        final Map<Long, PointIndex.Entry<Vol>> entries = new HashMap<>();

        List<PointIndex.Hit<Vol>> within(double lat, double lon, double radius, Predicate<Vol> filter, int k) {
            List<PointIndex.Hit<Vol>> hits = new ArrayList<>();
            for (PointIndex.Entry<Vol> e : entries.values()) {
                double d = Distances.haversineMeters(lat, lon, e.lat(), e.lon());
                if (d <= radius && filter.test(e.payload())) {
                    hits.add(new PointIndex.Hit<>(e.id(), e.lat(), e.lon(), d, e.payload()));
                }
            }
            hits.sort(Comparator.comparingDouble((PointIndex.Hit<Vol> h) -> h.distanceMeters())
                    .thenComparingLong(PointIndex.Hit::id));
            return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
        }
    }

    private static double[] randomLocation(SplittableRandom random) {
        double u = random.nextDouble();
        if (u < 0.45) {
            AreaIndex.Buurt b = areas.buurten().get(random.nextInt(areas.buurten().size()));
            GeoPoint p = areas.randomPointIn(b, random);
            return new double[] {p.lat(), p.lon()};
        }
        if (u < 0.55) { // clusters of nearly identical points: ties and dense cells
            double[] border = borderPoints.get(random.nextInt(borderPoints.size()));
            return new double[] {border[0] + random.nextDouble(-1e-5, 1e-5), border[1] + random.nextDouble(-1e-5, 1e-5)};
        }
        return new double[] {random.nextDouble(50.75, 53.55), random.nextDouble(3.35, 7.25)};
    }

    private static double[] randomQuery(SplittableRandom random, Oracle oracle, List<Long> ids) {
        double u = random.nextDouble();
        if (u < 0.3) {
            double[] border = borderPoints.get(random.nextInt(borderPoints.size()));
            return new double[] {border[0] + random.nextDouble(-0.002, 0.002), border[1] + random.nextDouble(-0.003, 0.003)};
        }
        if (u < 0.4 && !ids.isEmpty()) { // exactly on an indexed point
            PointIndex.Entry<Vol> e = oracle.entries.get(ids.get(random.nextInt(ids.size())));
            return new double[] {e.lat(), e.lon()};
        }
        return randomLocation(random);
    }

    private static Predicate<Vol> randomFilter(SplittableRandom random) {
        int kind = random.nextInt(4);
        int mod = 2 + random.nextInt(9);
        return switch (kind) {
            case 0 -> v -> true;
            case 1 -> v -> v.tag() % mod == 0;          // rejects most
            case 2 -> v -> v.tag() % mod != 0;
            default -> v -> false;
        };
    }

    private static double randomRadius(SplittableRandom random, Oracle oracle, double lat, double lon, List<Long> ids) {
        double u = random.nextDouble();
        if (u < 0.3 && !ids.isEmpty()) { // exactly at, just inside and just outside some point's distance
            PointIndex.Entry<Vol> e = oracle.entries.get(ids.get(random.nextInt(ids.size())));
            double d = Distances.haversineMeters(lat, lon, e.lat(), e.lon());
            return switch (random.nextInt(3)) {
                case 0 -> d;
                case 1 -> Math.nextDown(d) < 0 ? 0 : Math.nextDown(d);
                default -> Math.nextUp(d);
            };
        }
        if (u < 0.35) {
            return Double.POSITIVE_INFINITY;
        }
        if (u < 0.4) {
            return 0;
        }
        return random.nextDouble() < 0.5 ? random.nextDouble(0, 2_000) : random.nextDouble(0, 60_000);
    }

    private static void assertSameAsOracle(PointIndex<Vol> index, Oracle oracle, SplittableRandom random, int queries) {
        List<Long> ids = new ArrayList<>(oracle.entries.keySet());
        ids.sort(null);
        for (int q = 0; q < queries; q++) {
            double[] at = randomQuery(random, oracle, ids);
            double radius = randomRadius(random, oracle, at[0], at[1], ids);
            Predicate<Vol> filter = randomFilter(random);
            int k = random.nextInt(4) == 0 ? 1 + random.nextInt(200) : 1 + random.nextInt(12);
            String where = "query " + q + " at " + at[0] + "," + at[1] + " r=" + radius + " k=" + k;
            assertEquals(oracle.within(at[0], at[1], radius, filter, k), index.nearest(at[0], at[1], k, radius, filter), where);
            if (q % 4 == 0) {
                double small = Math.min(radius, 3_000);
                assertEquals(oracle.within(at[0], at[1], small, filter, Integer.MAX_VALUE),
                        index.within(at[0], at[1], small, filter), "within, " + where);
            }
        }
        assertEquals(oracle.entries.size(), index.size());
    }

    private static PointIndex<Vol> buildRandom(SplittableRandom random, Oracle oracle, int n, PointIndex.Options options) {
        List<PointIndex.Entry<Vol>> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = random.nextLong(1_000_000_000L);
            if (oracle.entries.containsKey(id)) {
                continue;
            }
            double[] p = randomLocation(random);
            PointIndex.Entry<Vol> e = new PointIndex.Entry<>(id, p[0], p[1], new Vol(random.nextInt(100), 0));
            entries.add(e);
            oracle.entries.put(id, e);
        }
        return PointIndex.build(entries, options);
    }

    @Test
    @DisplayName("nearest and within agree with a brute-force oracle on 5,000 points in Utrecht and the Netherlands: same ids, order and distances")
    void matchesOracleAfterBulkBuild() {
        SplittableRandom random = new SplittableRandom(1);
        Oracle oracle = new Oracle();
        PointIndex<Vol> index = buildRandom(random, oracle, 5_000, NO_AUTO_COMPACTION);
        assertSameAsOracle(index, oracle, random, 3_000);
    }

    @Test
    @DisplayName("a sparse index (140 points in Utrecht, every cell scanned, as the nearby activities are) agrees with the oracle, radii at points' exact distances included")
    void sparseIndexScansEveryCell() {
        SplittableRandom random = new SplittableRandom(7);
        Oracle oracle = new Oracle();
        List<PointIndex.Entry<Vol>> entries = new ArrayList<>();
        while (entries.size() < 140) {
            AreaIndex.Buurt b = areas.buurten().get(random.nextInt(areas.buurten().size()));
            GeoPoint p = areas.randomPointIn(b, random);
            PointIndex.Entry<Vol> e = new PointIndex.Entry<>(entries.size() + 1L, p.lat(), p.lon(), new Vol(0, 0));
            entries.add(e);
            oracle.entries.put(e.id(), e);
        }
        PointIndex<Vol> index = PointIndex.build(entries, NO_AUTO_COMPACTION);
        List<Long> ids = new ArrayList<>(oracle.entries.keySet());
        for (int q = 0; q < 3_000; q++) {
            double[] at = randomQuery(random, oracle, ids);
            PointIndex.Entry<Vol> some = oracle.entries.get(ids.get(random.nextInt(ids.size())));
            double d = Distances.haversineMeters(at[0], at[1], some.lat(), some.lon());
            double radius = switch (q % 4) {
                case 0 -> d;
                case 1 -> Math.max(0, Math.nextDown(d));
                case 2 -> Math.nextUp(d);
                default -> random.nextDouble(0, 3_000);
            };
            assertEquals(oracle.within(at[0], at[1], radius, v -> true, Integer.MAX_VALUE),
                    index.within(at[0], at[1], radius, v -> true), "query " + q + " at " + at[0] + "," + at[1] + " r=" + radius);
        }
    }

    @Test
    @DisplayName("with a coarse grid (5 km cells) the results are the same; cell size only changes speed")
    void cellSizeDoesNotChangeResults() {
        SplittableRandom random = new SplittableRandom(2);
        Oracle oracle = new Oracle();
        PointIndex<Vol> index = buildRandom(random, oracle, 3_000, NO_AUTO_COMPACTION.withCellSizeMeters(5_000));
        assertSameAsOracle(index, oracle, random, 1_000);
    }

    @Test
    @DisplayName("interleaved upserts, moves, removals and rebuilds keep the index equal to the oracle")
    void matchesOracleUnderUpdates() {
        SplittableRandom random = new SplittableRandom(3);
        Oracle oracle = new Oracle();
        PointIndex<Vol> index = buildRandom(random, oracle, 2_000, NO_AUTO_COMPACTION);
        for (int round = 0; round < 12; round++) {
            List<Long> ids = new ArrayList<>(oracle.entries.keySet());
            ids.sort(null);
            for (int op = 0; op < 300; op++) {
                double u = random.nextDouble();
                if (u < 0.35 && !ids.isEmpty()) { // move (and change payload) of an existing point
                    long id = ids.get(random.nextInt(ids.size()));
                    double[] p = randomLocation(random);
                    Vol v = new Vol(random.nextInt(100), round);
                    index.upsert(id, p[0], p[1], v);
                    oracle.entries.put(id, new PointIndex.Entry<>(id, p[0], p[1], v));
                } else if (u < 0.6 && !ids.isEmpty()) {
                    long id = ids.get(random.nextInt(ids.size()));
                    assertEquals(oracle.entries.remove(id) != null, index.remove(id));
                } else if (u < 0.65) {
                    assertFalse(index.remove(-1 - random.nextInt(1000)), "removing an absent id changes nothing");
                } else {
                    long id = random.nextLong(1_000_000_000L);
                    double[] p = randomLocation(random);
                    Vol v = new Vol(random.nextInt(100), round);
                    index.upsert(id, p[0], p[1], v);
                    oracle.entries.put(id, new PointIndex.Entry<>(id, p[0], p[1], v));
                    ids.add(id);
                }
            }
            assertSameAsOracle(index, oracle, random, 150);
            for (long id : ids.subList(0, Math.min(50, ids.size()))) {
                assertEquals(java.util.Optional.ofNullable(oracle.entries.get(id)), index.get(id));
            }
            if (round % 3 == 2) {
                index.rebuild();
                assertEquals(0, index.pendingChanges());
                assertSameAsOracle(index, oracle, random, 150);
            }
        }
    }

    @Test
    @DisplayName("a full delta is compacted automatically on the compaction executor, and results do not change")
    void compactsAutomatically() {
        SplittableRandom random = new SplittableRandom(4);
        Oracle oracle = new Oracle();
        AtomicLong compactions = new AtomicLong();
        PointIndex<Vol> index = buildRandom(random, oracle, 1_000, PointIndex.Options.defaults()
                .withCompactionThreshold(64)
                .withCompactionExecutor(task -> {
                    compactions.incrementAndGet();
                    task.run();
                }));
        for (int i = 0; i < 1_000; i++) {
            long id = random.nextLong(2_000_000_000L);
            double[] p = randomLocation(random);
            Vol v = new Vol(random.nextInt(100), 1);
            index.upsert(id, p[0], p[1], v);
            oracle.entries.put(id, new PointIndex.Entry<>(id, p[0], p[1], v));
            assertTrue(index.pendingChanges() < 64);
        }
        assertTrue(compactions.get() >= 1_000 / 64 - 1, "compactions: " + compactions.get());
        assertSameAsOracle(index, oracle, random, 300);
    }

    @Test
    @DisplayName("queries near the poles and across the antimeridian agree with the oracle")
    void worldEdges() {
        SplittableRandom random = new SplittableRandom(5);
        Oracle oracle = new Oracle();
        List<PointIndex.Entry<Vol>> entries = new ArrayList<>();
        for (long id = 0; id < 2_000; id++) {
            double lat = id % 2 == 0 ? random.nextDouble(-90, 90) : random.nextDouble(80, 90);
            double lon = id % 3 == 0 ? random.nextDouble(179, 180) : id % 3 == 1 ? random.nextDouble(-180, -179) : random.nextDouble(-180, 180);
            PointIndex.Entry<Vol> e = new PointIndex.Entry<>(id, lat, lon, new Vol((int) id % 7, 0));
            entries.add(e);
            oracle.entries.put(id, e);
        }
        PointIndex<Vol> index = PointIndex.build(entries, NO_AUTO_COMPACTION);
        for (int q = 0; q < 500; q++) {
            double lat = q % 2 == 0 ? random.nextDouble(-90, 90) : random.nextDouble(85, 90);
            double lon = q % 3 == 0 ? 180 : q % 3 == 1 ? random.nextDouble(-180, -179.5) : random.nextDouble(-180, 180);
            double radius = random.nextDouble(0, 300_000);
            int k = 1 + random.nextInt(10);
            assertEquals(oracle.within(lat, lon, radius, v -> true, k), index.nearest(lat, lon, k, radius), "q" + q);
        }
    }

    @Test
    @DisplayName("k nearest eligible points are found even when 97% of the nearer points are filtered out")
    void filterDuringSearch() {
        List<PointIndex.Entry<Vol>> entries = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) { // a line of points going north from the Domtoren, 1 m apart
            entries.add(new PointIndex.Entry<>(i, 52.0908 + i * 9e-6, 5.1217, new Vol(i % 33 == 0 ? 1 : 0, 0)));
        }
        PointIndex<Vol> index = PointIndex.build(entries, NO_AUTO_COMPACTION);
        List<PointIndex.Hit<Vol>> hits = index.nearest(52.0908, 5.1217, 10, 5_000, v -> v.tag() == 1);
        assertEquals(List.of(0L, 33L, 66L, 99L, 132L, 165L, 198L, 231L, 264L, 297L), hits.stream().map(PointIndex.Hit::id).toList());
        assertEquals(0.0, hits.get(0).distanceMeters());
        assertEquals(Distances.haversineMeters(52.0908, 5.1217, 52.0908 + 297 * 9e-6, 5.1217), hits.get(9).distanceMeters());
    }

    @Test
    @DisplayName("points at equal distance are ordered by id, and a point exactly on the radius is inside")
    void tiesAndRadiusEdge() {
        PointIndex<Vol> index = PointIndex.build(List.of(
                new PointIndex.Entry<>(9, 52.10, 5.11, new Vol(0, 0)),
                new PointIndex.Entry<>(3, 52.10, 5.11, new Vol(0, 0)),
                new PointIndex.Entry<>(5, 52.10, 5.11, new Vol(0, 0)),
                new PointIndex.Entry<>(1, 52.11, 5.11, new Vol(0, 0))), NO_AUTO_COMPACTION);
        assertEquals(List.of(3L, 5L), index.nearest(52.10, 5.11, 2, 10).stream().map(PointIndex.Hit::id).toList());
        double d = Distances.haversineMeters(52.10, 5.11, 52.11, 5.11);
        assertEquals(4, index.within(52.10, 5.11, d, v -> true).size());
        assertEquals(3, index.within(52.10, 5.11, Math.nextDown(d), v -> true).size());
        assertEquals(d, index.nearest(52.10, 5.11, 4, d).get(3).distanceMeters());
    }

    @Test
    @DisplayName("duplicate ids, invalid coordinates, negative k or radius and null payloads are rejected")
    void rejectsInvalidInput() {
        Vol v = new Vol(0, 0);
        assertThrows(IllegalArgumentException.class, () -> PointIndex.build(List.of(
                new PointIndex.Entry<>(1, 52, 5, v), new PointIndex.Entry<>(1, 52.1, 5, v))));
        PointIndex<Vol> index = PointIndex.build(List.of(), NO_AUTO_COMPACTION);
        assertThrows(IllegalArgumentException.class, () -> index.upsert(1, 91, 5, v));
        assertThrows(IllegalArgumentException.class, () -> index.upsert(1, 52, Double.NaN, v));
        assertThrows(NullPointerException.class, () -> index.upsert(1, 52, 5, null));
        assertThrows(IllegalArgumentException.class, () -> index.nearest(52, 5, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> index.nearest(52, 5, 1, -10));
        assertThrows(IllegalArgumentException.class, () -> index.within(52, 5, Double.NaN, x -> true));
        assertEquals(List.of(), index.nearest(52, 5, 0, 10));
        assertEquals(0, index.size());
    }

    @Test
    @DisplayName("readers on several threads see consistent states while a writer moves points and compactions swap snapshots")
    void concurrentReadersAndWriter() throws Exception {
        int n = 20_000;
        SplittableRandom setup = new SplittableRandom(6);
        // Every position a point ever had, by (id, version): a hit must match one of them exactly.
        Map<Long, double[]> positions = new ConcurrentHashMap<>();
        List<PointIndex.Entry<Vol>> entries = new ArrayList<>();
        for (long id = 0; id < n; id++) {
            double[] p = randomLocation(setup);
            positions.put(id << 20, p);
            entries.add(new PointIndex.Entry<>(id, p[0], p[1], new Vol((int) (id % 10), 0)));
        }
        ExecutorService compactor = Executors.newSingleThreadExecutor();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try {
            PointIndex<Vol> index = PointIndex.build(entries, PointIndex.Options.defaults()
                    .withCompactionThreshold(500).withCompactionExecutor(compactor));
            AtomicBoolean writing = new AtomicBoolean(true);
            CountDownLatch started = new CountDownLatch(3);
            List<Future<Long>> results = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                long seed = r;
                results.add(readers.submit(() -> {
                    SplittableRandom random = new SplittableRandom(100 + seed);
                    long checked = 0;
                    started.countDown();
                    while (writing.get() || checked < 200) {
                        double[] q = randomLocation(random);
                        List<PointIndex.Hit<Vol>> hits = random.nextBoolean()
                                ? index.nearest(q[0], q[1], 10, 5_000, v -> v.tag() < 3)
                                : index.within(q[0], q[1], 1_500, v -> true);
                        Set<Long> seen = new HashSet<>();
                        PointIndex.Hit<Vol> previous = null;
                        for (PointIndex.Hit<Vol> h : hits) {
                            assertTrue(seen.add(h.id()), "an id appears once");
                            double[] p = positions.get(h.id() << 20 | h.payload().version());
                            assertTrue(p != null && p[0] == h.lat() && p[1] == h.lon(), "a position the point really had");
                            assertEquals(Distances.haversineMeters(q[0], q[1], h.lat(), h.lon()), h.distanceMeters());
                            if (previous != null) {
                                assertTrue(previous.distanceMeters() < h.distanceMeters()
                                        || previous.distanceMeters() == h.distanceMeters() && previous.id() < h.id());
                            }
                            previous = h;
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            assertTrue(started.await(30, TimeUnit.SECONDS));
            SplittableRandom random = new SplittableRandom(7);
            for (int write = 1; write <= 20_000; write++) {
                long id = random.nextInt(n);
                double[] p = randomLocation(random);
                positions.put(id << 20 | write, p);
                index.upsert(id, p[0], p[1], new Vol((int) (id % 10), write));
            }
            writing.set(false);
            for (Future<Long> f : results) {
                assertTrue(f.get(60, TimeUnit.SECONDS) >= 200);
            }
            assertEquals(n, index.size());
        } finally {
            readers.shutdownNow();
            compactor.shutdown();
            assertTrue(compactor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }
}
