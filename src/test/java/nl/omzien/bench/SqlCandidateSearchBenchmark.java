package nl.omzien.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.GeoPoint;
import nl.omzien.geo.PointIndex;
import nl.omzien.matching.VolunteerCard;
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
import org.openjdk.jmh.annotations.TearDown;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * The SQL baseline for {@link CandidateSearchBenchmark}: the same volunteers (same generator and seed) in the
 * embedded PostgreSQL, the same question ("10 nearest within 5 km that have a car, are not paused, whose own travel
 * distance reaches the request and whose weekly slots cover Tuesday 10:00-12:00", slots as an {@code int4multirange}
 * of minutes since Monday) answered
 * with {@code cube}/{@code earthdistance} and a GiST index on {@code ll_to_earth(lat, lon)}, ordered by the cube
 * distance operator {@code <->} so the index is walked nearest-first and the scan stops after 10 eligible rows
 * (chord distance orders like great-circle distance), the fastest plan PostgreSQL offers here, over one JDBC
 * connection from the benchmark thread. Run both in one go:
 * {@code mvn -q -B -Pbench test-compile exec:exec -Djmh.args="CandidateSearch -f 1 -wi 1 -i 3 -w 2s -r 3s"}
 * (the pattern matches both classes).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SqlCandidateSearchBenchmark {
  private static final String QUERY = """
      select id, earth_distance(ll_to_earth(?, ?), ll_to_earth(lat, lon)) as meters
        from volunteer
       where earth_box(ll_to_earth(?, ?), 5000) @> ll_to_earth(lat, lon)
         and has_car and not paused
         and earth_distance(ll_to_earth(?, ?), ll_to_earth(lat, lon)) <= least(5000, travel_m)
         and slots @> int4range(2040, 2160)
       order by ll_to_earth(lat, lon) <-> ll_to_earth(?, ?)
       limit 10
      """;

  @Param({"utrecht-100k", "netherlands-1m"})
  public String population;

  private EmbeddedPostgres postgres;
  private Connection connection;
  private PreparedStatement query;
  private double[] queryLat;
  private double[] queryLon;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    postgres = EmbeddedPostgres.builder()
        .setServerConfig("shared_buffers", "512MB")
        .setServerConfig("fsync", "off")
        .start();
    connection = postgres.getPostgresDatabase().getConnection();
    int queries = 1 << 14;
    queryLat = new double[queries];
    queryLon = new double[queries];
    SplittableRandom random = new SplittableRandom(99);
    List<PointIndex.Entry<BenchData.Volunteer>> volunteers;
    if (population.equals("utrecht-100k")) {
      AreaIndex areas = AreaIndex.loadUtrecht();
      volunteers = BenchData.utrechtVolunteers(areas, 100_000, 1);
      for (int i = 0; i < queries; i++) {
        GeoPoint p = BenchData.utrechtPoint(areas, random, true);
        queryLat[i] = p.lat();
        queryLon[i] = p.lon();
      }
    } else {
      volunteers = BenchData.netherlandsVolunteers(1_000_000, 1);
      for (int i = 0; i < queries; i++) {
        double[] p = BenchData.netherlandsPoint(random);
        queryLat[i] = p[0];
        queryLon[i] = p[1];
      }
    }
    load(volunteers);
    query = connection.prepareStatement(QUERY);
  }

  private void load(List<PointIndex.Entry<BenchData.Volunteer>> volunteers) throws SQLException, IOException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("create extension if not exists cube");
      statement.execute("create extension if not exists earthdistance");
      statement.execute("create table volunteer (id bigint primary key, lat float8 not null, lon float8 not null, "
          + "has_car boolean not null, paused boolean not null, travel_m float8 not null, slots int4multirange not null)");
    }
    StringBuilder rows = new StringBuilder(volunteers.size() * 56);
    for (PointIndex.Entry<VolunteerCard> v : BenchData.cards(volunteers, 2)) {
      rows.append(v.id()).append('\t').append(v.lat()).append('\t').append(v.lon()).append('\t')
          .append(v.payload().has(VolunteerCard.CAR)).append('\t').append(v.payload().paused()).append('\t')
          .append(v.payload().travelMeters()).append('\t').append(multirange(v.payload().slots())).append('\n');
    }
    new CopyManager(connection.unwrap(BaseConnection.class))
        .copyIn("copy volunteer from stdin", new StringReader(rows.toString()));
    try (Statement statement = connection.createStatement()) {
      statement.execute("create index volunteer_earth on volunteer using gist (ll_to_earth(lat, lon))");
      statement.execute("analyze volunteer");
      // The planner otherwise often picks a bitmap scan of the whole 5 km box and sorts it (about 0.3 s in dense
      // Utrecht); walking the GiST index nearest-first and stopping after 10 rows is the best plan it has.
      statement.execute("set enable_bitmapscan = off");
    }
  }

  private static String multirange(int[] slots) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < slots.length; i += 2) {
      out.append(i == 0 ? "" : ",").append('[').append(slots[i]).append(',').append(slots[i + 1]).append(')');
    }
    return out.append('}').toString();
  }

  @Benchmark
  public int nearestTenEligibleWithin5km() throws SQLException {
    int i = next++ & (queryLat.length - 1);
    double lat = queryLat[i];
    double lon = queryLon[i];
    query.setDouble(1, lat);
    query.setDouble(2, lon);
    query.setDouble(3, lat);
    query.setDouble(4, lon);
    query.setDouble(5, lat);
    query.setDouble(6, lon);
    query.setDouble(7, lat);
    query.setDouble(8, lon);
    int found = 0;
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        found++;
      }
    }
    return found;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    connection.close();
    postgres.close();
  }
}
