package nl.omzien.bench;

import nl.omzien.geo.PointIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Full build of an index of 1M volunteers across the Netherlands from entries ({@link BenchData}), and
 * a compaction ({@link PointIndex#rebuild()}) of 1M points with 1024 pending moves, which is what the
 * background compactor does after every 1024 changes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class RebuildBenchmark {

    private List<PointIndex.Entry<BenchData.Volunteer>> entries;
    private PointIndex<BenchData.Volunteer> index;
    private final SplittableRandom random = new SplittableRandom(3);

    @Setup(Level.Trial)
    public void setUp() {
        entries = BenchData.netherlandsVolunteers(1_000_000, 1);
        index = PointIndex.build(entries, PointIndex.Options.defaults().withCompactionExecutor(null));
    }

    @Setup(Level.Invocation)
    public void pendingMoves() {
        for (int i = 0; i < 1024; i++) {
            double[] p = BenchData.netherlandsPoint(random);
            index.upsert(random.nextInt(1_000_000), p[0], p[1], BenchData.randomVolunteer(random));
        }
    }

    @Benchmark
    public PointIndex<BenchData.Volunteer> buildOneMillion() {
        return PointIndex.build(entries, PointIndex.Options.defaults().withCompactionExecutor(null));
    }

    @Benchmark
    public int compactOneMillion() {
        index.rebuild();
        return index.size();
    }
}
