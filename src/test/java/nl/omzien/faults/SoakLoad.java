package nl.omzien.faults;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.omzien.auth.LocalTokens;

/**
 * The load client of {@code src/scripts/soak.sh}: runs {@link MixedLoad} at a steady rate for a number of
 * minutes and every interval prints a row: calls, latency percentiles, errors, the server's live heap after a full
 * GC ({@code jcmd GC.run}, then {@code jstat -gc}: old generation and survivors), metaspace, threads and open files of the server process,
 * PostgreSQL connections of the database by state ({@code pg_stat_activity}), and the server's own view of its
 * SQL pool from {@code /metrics}. At the end: a verdict on growth (first third against last third of the samples
 * after warm-up, and a least-squares slope of the heap) and on errors. Exit status 0 only when it passes.
 *
 * <p>Arguments ({@code name=value}): {@code base}, {@code secret}, {@code pid} (the server's process id),
 * {@code jdbc} (JDBC URL of the server's database), {@code minutes} (30), {@code interval} (seconds, 30),
 * {@code rate} (calls/s, 40), {@code journal}, {@code report} (file to copy the table and verdict to).
 */
public final class SoakLoad {
  /** One row of the report. */
  record Sample(double minute, long calls, long p50, long p99, long max, long errors, double heapMb, double metaMb,
                int threads, int fds, int dbTotal, int dbActive, int dbIdle, int dbIdleInTx, String pool,
                String loadAvg) {
  }

  private final List<Sample> samples = new ArrayList<>();
  private final PrintStream out;
  private final long pid;
  private int intervalSeconds = 30;

  private SoakLoad(PrintStream out, long pid) {
    this.out = out;
    this.pid = pid;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = CrashLoad.args(args);
    Path reportFile = Path.of(a.get("report"));
    try (PrintStream report = new PrintStream(Files.newOutputStream(reportFile), true, StandardCharsets.UTF_8)) {
      PrintStream both = new PrintStream(new Tee(System.out, report), true, StandardCharsets.UTF_8);
      boolean passed = new SoakLoad(both, Long.parseLong(a.get("pid"))).run(a);
      System.exit(passed ? 0 : 1);
    }
  }

  private boolean run(Map<String, String> a) throws Exception {
    int minutes = CrashLoad.integer(a, "minutes", 30);
    int interval = CrashLoad.integer(a, "interval", 30);
    intervalSeconds = interval;
    double rate = Double.parseDouble(a.getOrDefault("rate", "40"));
    Vertx vertx = Vertx.vertx();
    LoadStats stats = new LoadStats();
    URI base = URI.create(a.get("base"));
    AtomicBoolean stop = new AtomicBoolean();
    try (Api api = new Api(vertx, base, 32, stats, new Api.Pacer(rate));
         Connection db = DriverManager.getConnection(a.get("jdbc"))) {
      MixedLoad load = new MixedLoad(api, stats, Path.of(a.get("journal")), false);
      load.setUp(new LocalTokens(vertx, a.get("secret")), CrashLoad.integer(a, "residents", 40),
          CrashLoad.integer(a, "volunteers", 30));
      stats.drainLatencies();
      Thread runner = new Thread(() -> {
        try {
          load.run(4, 3, stop::get);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "soak-load");
      out.printf("soak: %d min at %.0f calls/s (mixed reads and writes), a row every %d s; server pid %d%n",
          minutes, rate, interval, pid);
      out.println(header());
      long start = System.nanoTime();
      runner.start();
      long errorsBefore = 0;
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 1; (long) i * interval <= minutes * 60L; i++) {
        long due = start + TimeUnit.SECONDS.toNanos((long) i * interval);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
        long[] lat = stats.drainLatencies();
        long errors = stats.serverErrors.get() + stats.unexpected4xx.get() + stats.transportErrors.get();
        Sample s = sample(i * interval / 60.0, lat, errors - errorsBefore, db, http, base);
        errorsBefore = errors;
        samples.add(s);
        out.println(row(s));
      }
      stop.set(true);
      runner.join();
      return verdict(stats);
    } finally {
      vertx.close().await();
    }
  }

  // ---------------------------------------------------------------------------------------------- sampling

  private Sample sample(double minute, long[] lat, long errors, Connection db, HttpClient http, URI base)
      throws Exception {
    double[] heap = heapAfterGc();
    int[] conns = connections(db);
    return new Sample(minute, lat.length, LoadStats.percentile(lat, 50) / 1000, LoadStats.percentile(lat, 99) / 1000,
        lat.length == 0 ? 0 : lat[lat.length - 1] / 1000, errors, heap[0], heap[1], threads(), fds(),
        conns[0], conns[1], conns[2], conns[3], pool(http, base),
        Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  /** Heap used (old generation and survivors) and metaspace used in MB, right after a full GC of the server. */
  private double[] heapAfterGc() throws Exception {
    exec("jcmd", Long.toString(pid), "GC.run");
    String[] lines = exec("jstat", "-gc", Long.toString(pid)).trim().split("\n");
    List<String> names = Arrays.asList(lines[0].trim().split("\\s+"));
    String[] values = lines[1].trim().split("\\s+");
    double kb = 0;
    // Eden is left out: it refills between the GC and jstat's reading (jstat is a JVM of its own to start).
    for (String column : List.of("S0U", "S1U", "OU")) {
      kb += Double.parseDouble(values[names.indexOf(column)]);
    }
    return new double[] {kb / 1024, Double.parseDouble(values[names.indexOf("MU")]) / 1024};
  }

  private static String exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  private int threads() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.substring(8).trim());
      }
    }
    return -1;
  }

  private int fds() throws IOException {
    try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) list.count();
    }
  }

  /** Connections to this database other than ours: total, active, idle, idle in transaction. */
  private static int[] connections(Connection db) throws Exception {
    try (ResultSet rs = db.createStatement().executeQuery("""
        select count(*), count(*) filter (where state = 'active'), count(*) filter (where state = 'idle'),
               count(*) filter (where state like 'idle in transaction%')
          from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
        """)) {
      rs.next();
      return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)};
    }
  }

  /** The SQL pool as the server sees it (Vert.x metrics): connections in use / requests waiting for one. */
  private static String pool(HttpClient http, URI base) {
    try {
      String body = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return format(sum(body, "vertx_pool_in_use", "pool_type=\"sql\"")) + "/"
          + format(sum(body, "vertx_pool_queue_pending", "pool_type=\"sql\""));
    } catch (Exception e) {
      return "?";
    }
  }

  private static double sum(String metrics, String name, String label) {
    double total = Double.NaN;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        total = Double.isNaN(total) ? v : total + v;
      }
    }
    return total;
  }

  private static String format(double v) {
    return Double.isNaN(v) ? "-" : Long.toString(Math.round(v));
  }

  // ---------------------------------------------------------------------------------------------- report

  private static String header() {
    return String.format("%6s %7s %6s %6s %6s %7s %4s %8s %7s %5s %5s %14s %9s %5s",
        "min", "calls", "call/s", "p50ms", "p99ms", "maxms", "err", "heapMB", "metaMB", "thr", "fds",
        "db tot/act/idl", "pool u/q", "load");
  }

  private String row(Sample s) {
    return String.format("%6.1f %7d %6.1f %6d %6d %7d %4d %8.1f %7.1f %5d %5d %14s %9s %5s",
        s.minute(), s.calls(), s.calls() / (double) intervalSeconds, s.p50(), s.p99(), s.max(), s.errors(),
        s.heapMb(), s.metaMb(), s.threads(), s.fds(),
        s.dbTotal() + "/" + s.dbActive() + "/" + s.dbIdle() + (s.dbIdleInTx() > 0 ? "+" + s.dbIdleInTx() + "tx" : ""),
        s.pool(), s.loadAvg());
  }

  /**
   * Growth: the samples after the first (JIT and caches warming up) are split in thirds; the last third may not
   * exceed the first by more than a tolerance (heap: 10 % + 8 MB of the median; threads +4, open files +10 and
   * database connections +2 of the maximum). The heap's least-squares slope is printed for the record. Errors:
   * none at all (5xx, unexpected 4xx, or no answer).
   */
  private boolean verdict(LoadStats stats) {
    List<Sample> s = samples.size() > 3 ? samples.subList(1, samples.size()) : samples;
    int third = Math.max(1, s.size() / 3);
    List<Sample> first = s.subList(0, third);
    List<Sample> last = s.subList(s.size() - third, s.size());
    double heapFirst = median(first.stream().mapToDouble(Sample::heapMb).toArray());
    double heapLast = median(last.stream().mapToDouble(Sample::heapMb).toArray());
    double slope = slopePerHour(s);
    boolean heapOk = heapLast <= heapFirst * 1.10 + 8;
    boolean threadsOk = max(last, Sample::threads) <= max(first, Sample::threads) + 4;
    boolean fdsOk = max(last, Sample::fds) <= max(first, Sample::fds) + 10;
    boolean dbOk = max(last, Sample::dbTotal) <= max(first, Sample::dbTotal) + 2;
    long errors = stats.serverErrors.get() + stats.unexpected4xx.get() + stats.transportErrors.get();
    double p99First = median(first.stream().mapToDouble(Sample::p99).toArray());
    double p99Last = median(last.stream().mapToDouble(Sample::p99).toArray());
    out.println();
    out.printf("calls %d (2xx %d, 409 races %d), acknowledged writes %d %s%n", stats.sent.get(), stats.ok.get(),
        stats.expectedConflicts.get(), stats.acked(), stats.ackedByKind());
    out.printf("heap after GC, median first/last third: %.1f / %.1f MB (slope %+.1f MB/h)  %s%n", heapFirst, heapLast,
        slope, heapOk ? "ok" : "GROWS");
    out.printf("threads max first/last third: %d / %d  %s%n", max(first, Sample::threads), max(last, Sample::threads),
        threadsOk ? "ok" : "GROWS");
    out.printf("open files max first/last third: %d / %d  %s%n", max(first, Sample::fds), max(last, Sample::fds),
        fdsOk ? "ok" : "GROWS");
    out.printf("database connections max first/last third: %d / %d  %s%n", max(first, Sample::dbTotal),
        max(last, Sample::dbTotal), dbOk ? "ok" : "GROWS");
    out.printf("p99 median first/last third: %.0f / %.0f ms (for the record: the machine is shared)%n", p99First,
        p99Last);
    out.printf("errors: 5xx %d, unexpected 4xx %d, no answer %d  %s%n", stats.serverErrors.get(),
        stats.unexpected4xx.get(), stats.transportErrors.get(), errors == 0 ? "ok" : "FAIL");
    stats.errorSamples().forEach(e -> out.println("  " + java.time.Instant.ofEpochMilli(e.atMillis()) + " " + e.what()
        + ": " + e.detail()));
    boolean passed = heapOk && threadsOk && fdsOk && dbOk && errors == 0;
    out.println("VERDICT: " + (passed ? "PASS (no growth trend, no errors)" : "FAIL"));
    out.println("finished " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS));
    return passed;
  }

  private static int max(List<Sample> samples, java.util.function.ToIntFunction<Sample> f) {
    return samples.stream().mapToInt(f).max().orElse(0);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Least-squares slope of heap after GC over time, in MB per hour. */
  private static double slopePerHour(List<Sample> s) {
    double n = s.size();
    double mx = s.stream().mapToDouble(Sample::minute).sum() / n;
    double my = s.stream().mapToDouble(Sample::heapMb).sum() / n;
    double sxy = 0;
    double sxx = 0;
    for (Sample x : s) {
      sxy += (x.minute() - mx) * (x.heapMb() - my);
      sxx += (x.minute() - mx) * (x.minute() - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx * 60;
  }

  /** Writes to two streams. */
  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
