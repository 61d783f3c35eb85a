package nl.omzien.bench;

import nl.omzien.geo.PointIndex;

import java.util.List;

/**
 * Rough heap footprint of an index of 1M volunteers: used heap after {@code System.gc()} before and
 * after the build, while the input list stays reachable (so the difference is the index's own arrays
 * and hash tables; the payload objects are shared with the input and counted separately).
 * Run: {@code mvn -q -B -o -Pbench test-compile exec:exec -Dbench.main=nl.omzien.bench.IndexHeapFootprint}.
 */
public final class IndexHeapFootprint {

    private IndexHeapFootprint() {
    }

    public static void main(String[] args) {
        long empty = usedAfterGc();
        List<PointIndex.Entry<BenchData.Volunteer>> entries = BenchData.netherlandsVolunteers(1_000_000, 1);
        long withEntries = usedAfterGc();
        PointIndex<BenchData.Volunteer> index = PointIndex.build(entries, PointIndex.Options.defaults().withCompactionExecutor(null));
        long withIndex = usedAfterGc();
        System.out.printf("input entries incl. payloads: %.1f MB%n", (withEntries - empty) / 1e6);
        System.out.printf("index of %d points (own arrays and hash tables): %.1f MB (%.0f bytes/point)%n",
                index.size(), (withIndex - withEntries) / 1e6, (withIndex - withEntries) / (double) index.size());
        System.out.printf("max heap: %.0f MB%n", Runtime.getRuntime().maxMemory() / 1e6);
        System.out.println(entries.size() + index.nearest(52.09, 5.12, 1, 1e4).size() > 0 ? "" : "-");
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
