package nl.omzien.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL after a crash of the JVM (kill -9): the postmaster runs detached, so it outlives the
 * JVM and still holds the data directory. Found by {@code src/scripts/crash.sh}-style testing of the default
 * mode: the next start failed with "Connection refused" until someone killed the old postmaster by hand.
 */
class EmbeddedDatabaseRestartTest {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a start after a crash shuts down the PostgreSQL the dead JVM left running and starts on the same data")
  void restartAfterCrashOfTheJvm() throws Exception {
    EmbeddedDatabase first = EmbeddedDatabase.start(dataDir);
    assertEquals("sync", query(first.target(), "show io_method"), "each backend reads its own pages");
    execute(first.target(), "create table survivor (note text); insert into survivor values ('committed before the crash')");
    first.close();

    // What kill -9 of the JVM leaves behind: a postmaster on the data directory that no JVM holds.
    long orphan = startDetachedPostmaster(dataDir.resolve("pg"));
    assertTrue(EmbeddedDatabase.runningPostmaster(dataDir.resolve("pg")).isPresent(), "the orphan runs");

    EmbeddedDatabase second;
    try {
      second = EmbeddedDatabase.start(dataDir);
    } catch (RuntimeException e) {
      ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroy); // leave no PostgreSQL behind when it fails
      throw e;
    }
    try {
      assertTrue(stopped(orphan), "the orphan was stopped");
      assertFalse(EmbeddedDatabase.runningPostmaster(dataDir.resolve("pg")).map(p -> p.pid() == orphan).orElse(true),
          "a new postmaster runs on the data directory");
      assertEquals("committed before the crash", query(second.target(), "select note from survivor"));
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName("a postmaster.pid naming a process that is not PostgreSQL is not taken for a running server")
  void stalePidFile() throws Exception {
    Path pg = Files.createDirectories(dataDir.resolve("stale"));
    Files.writeString(pg.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + pg + "\n");
    assertTrue(EmbeddedDatabase.runningPostmaster(pg).isEmpty(), "our own JVM is not a postmaster");
    Files.writeString(pg.resolve("postmaster.pid"), "not a number\n");
    assertTrue(EmbeddedDatabase.runningPostmaster(pg).isEmpty());
  }

  /** Starts PostgreSQL on {@code pgData} with the options of its last start, as a detached process. */
  private static long startDetachedPostmaster(Path pgData) throws Exception {
    // postmaster.opts: the binary, then its quoted options, e.g. /x/bin/postgres "-D" "/d" "-p" "5432" "-F"
    String opts = Files.readString(pgData.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
    Path postgres = Path.of(opts.substring(0, opts.indexOf(' ')));
    List<String> options = new ArrayList<>();
    Matcher m = QUOTED.matcher(opts);
    while (m.find()) {
      options.add(m.group(1));
    }
    int d = options.indexOf("-D");
    options.remove(d + 1);
    options.remove(d);
    List<String> command = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(List.of(postgres.resolveSibling("pg_ctl").toString(), "-D", pgData.toString(), "-w", "-t", "30",
        "-o", String.join(" ", options), "-l", pgData.resolveSibling("orphan.log").toString(), "start"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
    return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
  }

  /** Gone, or a zombie that nobody has reaped yet (PID 1 of a container may not reap). */
  private static boolean stopped(long pid) throws Exception {
    Path stat = Path.of("/proc/" + pid + "/stat");
    if (!Files.exists(stat)) {
      return true;
    }
    String s = Files.readString(stat);
    return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
  }

  private static String url(DbTarget target) {
    return "jdbc:postgresql://" + target.host() + ":" + target.port() + "/" + target.database();
  }

  private static void execute(DbTarget target, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url(target), target.user(), target.password())) {
      c.createStatement().execute(sql);
    }
  }

  private static String query(DbTarget target, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url(target), target.user(), target.password());
         ResultSet rs = c.createStatement().executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }
}
