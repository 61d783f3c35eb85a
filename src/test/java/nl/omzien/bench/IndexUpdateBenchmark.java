package nl.omzien.bench;

import nl.omzien.geo.PointIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one change to an index of 1M volunteers across the Netherlands ({@link BenchData}).
 * <p>
 * A write copies the pending delta, so its cost grows with the delta; the benchmark holds the delta at
 * a fixed size ({@code movedPoolSize} = 1, an almost empty delta, or 1024, the default compaction threshold) by
 * moving only points that are already in the delta, with background compaction off. The cost of
 * compaction itself (a rebuild every 1024 changes) is measured by {@link RebuildBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class IndexUpdateBenchmark {

    @Param({"1", "1024"})
    public int movedPoolSize;

    private PointIndex<BenchData.Volunteer> index;
    private double[] lat;
    private double[] lon;
    private BenchData.Volunteer[] payload;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        List<PointIndex.Entry<BenchData.Volunteer>> entries = BenchData.netherlandsVolunteers(1_000_000, 1);
        index = PointIndex.build(entries, PointIndex.Options.defaults().withCompactionExecutor(null));
        SplittableRandom random = new SplittableRandom(5);
        int moves = 1 << 14;
        lat = new double[moves];
        lon = new double[moves];
        payload = new BenchData.Volunteer[moves];
        for (int i = 0; i < moves; i++) {
            double[] p = BenchData.netherlandsPoint(random);
            lat[i] = p[0];
            lon[i] = p[1];
            payload[i] = BenchData.randomVolunteer(random);
        }
        for (int id = 0; id < movedPoolSize; id++) { // fill the delta to its steady size
            index.upsert(id, lat[id], lon[id], payload[id]);
        }
    }

    /** Moves a volunteer (new position and payload), the common write. */
    @Benchmark
    public int move() {
        int i = next++;
        int m = i & (lat.length - 1);
        index.upsert(i % movedPoolSize, lat[m], lon[m], payload[m]);
        return index.pendingChanges();
    }
}
