package nl.omzien.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL (zonky binaries) whose data directory persists between runs, so the demo keeps its
 * data. Every method blocks: call them on a worker thread.
 *
 * <p>The postmaster runs detached from the JVM ({@code pg_ctl start}), so when Omzien dies without stopping it
 * (kill -9, OOM killer, power to the JVM only) PostgreSQL keeps running on the old port with the data directory.
 * The next start would then fail ({@code pg_ctl} cannot start a second postmaster on that directory). So before
 * starting, a postmaster still running on our data directory is shut down (fast mode: clean, nothing committed is
 * lost). It can only be an orphan: zonky holds a file lock on the directory ({@code epg-lock}) for the lifetime
 * of the JVM that uses it, and we hold it at that point.
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
          // Each backend reads its own pages, as before PostgreSQL 18. With 18's default, io_method=worker, every
          // read goes through three I/O processes, and on two cores creates stalled for 50-110 ms while autovacuum
          // ran (likely its read-ahead queued ahead of theirs): create's p99 at half rate missed 50 ms in 3 of 24
          // rounds, and in none of 16 with sync (README, "Load runs" item 27).
          .setServerConfig("io_method", "sync")
          .setDataDirectoryCustomizer(EmbeddedDatabase::stopOrphanedPostmaster)
          .start();
      createDatabaseIfMissing(postgres);
      DbTarget target = new DbTarget("localhost", postgres.getPort(), DATABASE, "postgres", "");
      LOG.info("embedded PostgreSQL ready on port {} with data in {}", postgres.getPort(), pgData);
      return new EmbeddedDatabase(postgres, target);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + pgData, e);
    }
  }

  /**
   * Shuts down a postmaster that an earlier Omzien left running on {@code pgData}; called by zonky after it took
   * the directory's lock and before it starts its own postmaster.
   */
  static void stopOrphanedPostmaster(java.io.File pgData) {
    Optional<ProcessHandle> orphan = runningPostmaster(pgData.toPath());
    if (orphan.isEmpty()) {
      return;
    }
    long pid = orphan.get().pid();
    LOG.warn("a PostgreSQL left running on {} by an earlier Omzien that did not stop (pid {}); shutting it down first",
        pgData, pid);
    String binary = orphan.get().info().command().orElseThrow(() ->
        new IllegalStateException("cannot tell which binary runs PostgreSQL pid " + pid + "; stop it by hand"));
    List<String> command = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
    }
    command.addAll(List.of(Path.of(binary).resolveSibling("pg_ctl").toString(), "-D", pgData.toString(),
        "-m", "fast", "-w", "-t", "60", "stop"));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("could not stop the PostgreSQL (pid " + pid + ") left running on " + pgData
            + ": " + output.trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping an orphaned PostgreSQL", e);
    }
  }

  /**
   * The postmaster named by {@code postmaster.pid} in {@code pgData}, if that process is alive and is a PostgreSQL
   * server (a stale file after a machine crash may name a process id that is now something else).
   */
  static Optional<ProcessHandle> runningPostmaster(Path pgData) {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // unreadable or half-written: PostgreSQL itself decides what to do with it
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().startsWith("postgres"))
            .orElse(false));
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
