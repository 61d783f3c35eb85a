package nl.omzien.bench;

import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.GeoPoint;
import nl.omzien.geo.PointIndex;
import nl.omzien.matching.CandidateQuery;
import nl.omzien.matching.VolunteerCard;
import java.time.Period;
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
 * Candidate search for a help request as the matcher runs it: the 10 nearest volunteers within 5 km that pass
 * every static rule of a ride ({@link CandidateQuery#eligible}: not paused, a car, free for the Tuesday-morning
 * window in their weekly slots, the request within their own travel distance), with {@link PointIndex#nearest}. Two populations, see
 * {@link BenchData} for how they are placed: 100k volunteers in Utrecht (queries weighted by the 65+
 * population per buurt) and 1M across the Netherlands (queries from the same distribution).
 * Mode SampleTime, so JMH reports p50/p99/p99.9 per call.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class CandidateSearchBenchmark {

    @Param({"utrecht-100k", "netherlands-1m"})
    public String population;

    /** Grid cell size; 250 m (the default) was chosen by running this with -p cellSizeMeters=125,250,500,1000. */
    @Param({"250"})
    public double cellSizeMeters;

    private PointIndex<VolunteerCard> index;
    private CandidateQuery[] rides;
    private double[] queryLat;
    private double[] queryLon;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int queries = 1 << 14;
        queryLat = new double[queries];
        queryLon = new double[queries];
        SplittableRandom random = new SplittableRandom(99);
        PointIndex.Options options = PointIndex.Options.defaults().withCellSizeMeters(cellSizeMeters);
        if (population.equals("utrecht-100k")) {
            AreaIndex areas = AreaIndex.loadUtrecht();
            index = PointIndex.build(BenchData.cards(BenchData.utrechtVolunteers(areas, 100_000, 1), 2), options);
            for (int i = 0; i < queries; i++) {
                GeoPoint p = BenchData.utrechtPoint(areas, random, true);
                queryLat[i] = p.lat();
                queryLon[i] = p.lon();
            }
        } else {
            index = PointIndex.build(BenchData.cards(BenchData.netherlandsVolunteers(1_000_000, 1), 2), options);
            for (int i = 0; i < queries; i++) {
                double[] p = BenchData.netherlandsPoint(random);
                queryLat[i] = p[0];
                queryLon[i] = p[1];
            }
        }
        queries();
    }

    private void queries() {
        rides = new CandidateQuery[queryLat.length];
        for (int i = 0; i < rides.length; i++) {
            rides[i] = CandidateQuery.of(BenchData.ride(queryLat[i], queryLon[i]), 5_000, Period.ofYears(3));
        }
    }

    @Benchmark
    public List<PointIndex.Hit<VolunteerCard>> nearestTenEligibleWithin5km() {
        int i = next++ & (queryLat.length - 1);
        return index.nearest(queryLat[i], queryLon[i], 10, 5_000, rides[i]::eligible);
    }
}
