package nl.omzien.hardening;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An embedded PostgreSQL of its own (zonky binaries) that a test can stop and start again on the same port and
 * data directory, with the binaries' {@code pg_ctl}: a database outage without touching the shared test server.
 */
final class StoppablePostgres implements AutoCloseable {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final Path pgCtl;
  private final List<String> serverOptions;

  private StoppablePostgres(EmbeddedPostgres postgres, Path dataDir, Path pgCtl, List<String> serverOptions) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.pgCtl = pgCtl;
    this.serverOptions = serverOptions;
  }

  static StoppablePostgres start() throws IOException {
    Path dataDir = Files.createTempDirectory("omzien-outage-pg");
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(true)
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("listen_addresses", "localhost")
        .start();
    // postmaster.opts is the command line the server was started with: the binary, then its options.
    // e.g. /tmp/embedded-pg/PG-x/bin/postgres "-D" "/tmp/data" "-p" "5432" "-F" "-c" "fsync=off"
    String opts = Files.readString(dataDir.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
    Path postgresBinary = Path.of(opts.substring(0, opts.indexOf(' ')));
    List<String> words = new ArrayList<>();
    Matcher matcher = QUOTED.matcher(opts);
    while (matcher.find()) {
      words.add(matcher.group(1));
    }
    List<String> options = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equals("-D")) {
        i++; // the data directory is given to pg_ctl itself
        continue;
      }
      options.add(words.get(i));
    }
    return new StoppablePostgres(postgres, dataDir, postgresBinary.resolveSibling("pg_ctl"), options);
  }

  int port() {
    return postgres.getPort();
  }

  String databaseUrl() {
    return "postgres://postgres:@localhost:" + port() + "/postgres";
  }

  /** Stops the server abruptly (immediate mode: like a crash or a pulled cable, no goodbye to clients). */
  void stop() throws Exception {
    pgCtl("stop", "-m", "immediate");
  }

  /** Starts it again on the same port and data directory, and waits until it accepts connections. */
  void startAgain() throws Exception {
    pgCtl("start", "-o", String.join(" ", serverOptions), "-l", dataDir.resolve("restart.log").toString());
  }

  private void pgCtl(String action, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      // PostgreSQL refuses to run as root; as zonky does, run it in a user namespace where we are not.
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-w", "-t", "30", action));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      Path log = dataDir.resolve("restart.log");
      throw new IllegalStateException("pg_ctl " + action + " failed: " + output
          + (Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : ""));
    }
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
