package nl.omzien.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;
import nl.omzien.config.OmzienConfig;
import nl.omzien.generator.GenerateCommand;
import nl.omzien.generator.HistoryGenerator;
import nl.omzien.geo.AreaIndex;
import nl.omzien.push.PushOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figures over a year of city-scale history, end to end over HTTP: the whole application on an embedded
 * PostgreSQL filled by the history generator ({@code --scale city --seed 42}, ~44,000 requests, ~200,000 offers,
 * ~170,000 status changes), asked by an admin for all ten wijken and by an ambassador for one, for the last
 * year. Target: p95 at most 200 ms. {@link #flush700} is the write side: the flush that keeps the facts current,
 * for 700 changed requests (below the bulk threshold of figures_refresh_now, which locks row by row). Run:
 * {@code mvn -q -B -Pbench test-compile exec:exec -Djmh.args="Figures -f 1 -wi 2 -i 3 -w 5s -r 10s"}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@State(Scope.Benchmark)
public class FiguresBenchmark {
  private static final String SECRET = "bench-secret-bench-secret-bench-secret-0123";

  private EmbeddedPostgres postgres;
  private Omzien app;
  private Vertx clientVertx;
  private WebClient client;
  private String adminToken;
  private String ambassadorToken;
  private String period;
  private Pool pool;
  private UUID[] latest;
  private UUID[] latestResidents;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    postgres = EmbeddedPostgres.builder()
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .start();
    Map<String, String> env = Map.of(
        "DATABASE_URL", "postgres://postgres:@localhost:" + postgres.getPort() + "/postgres",
        "OMZIEN_DEMO", "true",
        "OMZIEN_JWT_SECRET", SECRET,
        "OMZIEN_HTTP_PORT", "0",
        // One client asks as fast as it can; the per-user rate limit would answer 429 after the first burst.
        "OMZIEN_RATE_LIMIT_ENABLED", "false",
        "OMZIEN_DATA_DIR", java.nio.file.Files.createTempDirectory("omzien-bench").toString());
    app = Omzien.start(OmzienConfig.from(env), PushOptions.fromEnvironment(Map.of())).await(2, TimeUnit.MINUTES);
    LocalDate until = LocalDate.now(HistoryGenerator.ZONE);
    try (Connection connection = GenerateCommand.connect(app.database().target())) {
      HistoryGenerator.Summary summary = HistoryGenerator.generate(connection, AreaIndex.loadUtrecht(),
          new HistoryGenerator.Options(HistoryGenerator.Scale.CITY, 42, until));
      System.out.println("generated " + summary.rows());
    }
    period = "from=" + until.minusYears(1).plusDays(1) + "&to=" + until;
    pool = app.database().pool();
    latest = pool.query("select id from help_request order by created_at desc limit 700").execute()
        .await(1, TimeUnit.MINUTES).stream().map(r -> r.getUUID(0)).toArray(UUID[]::new);
    latestResidents = pool.preparedQuery("select distinct resident_id from help_request "
            + "where id = any ($1) and kind = 'companionship'").execute(Tuple.of(latest))
        .await(1, TimeUnit.MINUTES).stream().map(r -> r.getUUID(0)).toArray(UUID[]::new);
    clientVertx = Vertx.vertx();
    client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("localhost")
        .setDefaultPort(app.httpPort()).setKeepAlive(true));
    LocalTokens tokens = new LocalTokens(clientVertx, SECRET);
    adminToken = tokens.mint(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of(), Duration.ofHours(4));
    ambassadorToken = tokens.mint(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of("WK034403"),
        Duration.ofHours(4));
  }

  private int get(String path, String token) throws Exception {
    HttpResponse<Buffer> response = client.get(path).bearerTokenAuthentication(token).send()
        .await(30, TimeUnit.SECONDS);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.body().length();
  }

  /** An admin: all ten wijken and the total, a year. */
  @Benchmark
  public int cityYear() throws Exception {
    return get("/v1/figures?" + period, adminToken);
  }

  /** An ambassador of Overvecht: one wijk, a year. */
  @Benchmark
  public int oneWijkYear() throws Exception {
    return get("/v1/figures?" + period, ambassadorToken);
  }

  /** The page's chart: monthly series over all wijken, a year. */
  @Benchmark
  public int citySeriesYear() throws Exception {
    return get("/v1/figures/series?interval=month&" + period, adminToken);
  }

  /**
   * The flush of 700 changed requests (the latest, with their residents' companionship requests, as an accept
   * marks them): their fact rows are made stale first, in the same transaction, so that every one is rewritten.
   * The staling update is part of the figure (a few ms).
   */
  @Benchmark
  public Row flush700() throws Exception {
    return pool.withTransaction(c -> c.preparedQuery(
                "update figures_request set offers_made = -1 where request_id = any ($1)").execute(Tuple.of(latest))
            .compose(v -> c.preparedQuery("select figures_refresh_now($1, $2)")
                .execute(Tuple.tuple().addArrayOfUUID(latest).addArrayOfUUID(latestResidents)))
            .map(rows -> rows.iterator().next()))
        .await(1, TimeUnit.MINUTES);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    client.close();
    clientVertx.close().await(10, TimeUnit.SECONDS);
    app.stop().await(1, TimeUnit.MINUTES);
    postgres.close();
  }
}
