package nl.omzien.bench;

import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.omzien.config.OmzienConfig;
import nl.omzien.db.Database;
import nl.omzien.demo.AreaStore;
import nl.omzien.generator.GenerateCommand;
import nl.omzien.generator.HistoryGenerator;
import nl.omzien.geo.AreaIndex;

/**
 * For looking at the figures' query plans by hand: an embedded PostgreSQL (the version the tests use) with the
 * schema and a year of city history ({@code --scale city --seed 42}, the same as {@link FiguresBenchmark}), left
 * running until the process is stopped, so {@code psql -h localhost -p PORT -U postgres} can
 * {@code EXPLAIN ANALYZE}. Run:
 * {@code mvn -q -B -Pbench test-compile exec:exec -Dbench.main=nl.omzien.bench.FiguresProfile -Djmh.args=}.
 */
public final class FiguresProfile {
  private FiguresProfile() {
  }

  public static void main(String[] args) throws Exception {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .start();
    Map<String, String> env = Map.of(
        "DATABASE_URL", "postgres://postgres:@localhost:" + postgres.getPort() + "/postgres",
        "OMZIEN_DEMO", "true",
        "OMZIEN_DATA_DIR", Files.createTempDirectory("omzien-profile").toString());
    Vertx vertx = Vertx.vertx();
    Database database = Database.open(vertx, OmzienConfig.from(env)).await(5, TimeUnit.MINUTES);
    AreaIndex areas = AreaIndex.loadUtrecht();
    AreaStore.sync(database.pool(), areas).await(1, TimeUnit.MINUTES);
    LocalDate until = LocalDate.now(HistoryGenerator.ZONE);
    try (Connection connection = GenerateCommand.connect(database.target())) {
      long started = System.nanoTime();
      HistoryGenerator.Summary summary = HistoryGenerator.generate(connection, areas,
          new HistoryGenerator.Options(HistoryGenerator.Scale.CITY, 42, until));
      System.out.printf("generated in %.1f s: %s%n", (System.nanoTime() - started) / 1e9, summary.rows());
    }
    database.close().await(1, TimeUnit.MINUTES);
    vertx.close();
    System.out.println("READY psql -h localhost -p " + postgres.getPort() + " -U postgres  (history until " + until
        + ")");
    Thread.currentThread().join();
  }
}
