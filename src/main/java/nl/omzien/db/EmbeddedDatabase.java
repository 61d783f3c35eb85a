package nl.omzien.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL (zonky binaries) whose data directory persists between runs, so the demo keeps its
 * data. Every method blocks: call them on a worker thread.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String DATABASE = "omzien";

  private final EmbeddedPostgres postgres;
  private final DbTarget target;

  private EmbeddedDatabase(EmbeddedPostgres postgres, DbTarget target) {
    this.postgres = postgres;
    this.target = target;
  }

  /**
   * Starts (and on first use initialises) the cluster in {@code dataDir/pg} and makes sure the {@code omzien}
   * database exists.
   */
  public static EmbeddedDatabase start(Path dataDir) {
    Path pgData = dataDir.resolve("pg");
    try {
      Files.createDirectories(pgData);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          // Main closes it in order (after the pool); a JVM hook of its own could stop it under live connections.
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(30))
          .setServerConfig("max_connections", "200")
          .setServerConfig("listen_addresses", "localhost")
          .start();
      createDatabaseIfMissing(postgres);
      DbTarget target = new DbTarget("localhost", postgres.getPort(), DATABASE, "postgres", "");
      LOG.info("embedded PostgreSQL ready on port {} with data in {}", postgres.getPort(), pgData);
      return new EmbeddedDatabase(postgres, target);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + pgData, e);
    }
  }

  private static void createDatabaseIfMissing(EmbeddedPostgres postgres) {
    try (var connection = postgres.getPostgresDatabase().getConnection();
         var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
      exists.setString(1, DATABASE);
      if (!exists.executeQuery().next()) {
        try (var create = connection.createStatement()) {
          create.execute("create database " + DATABASE);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not create the embedded database: " + e.getMessage(), e);
    }
  }

  public DbTarget target() {
    return target;
  }

  /** The postmaster's process id, so tests can prove it is gone after shutdown. */
  public long pid() {
    return postgres.getProcess().pid();
  }

  /** Stops the server (fast shutdown) and waits for it. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
