package nl.omzien.faults;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nl.omzien.auth.LocalTokens;

/**
 * The load client of {@code src/scripts/crash.sh}: sets up its people, writes {@code ready}, then runs
 * {@link MixedLoad} with retried writes until the {@code stop} file appears, while the script kills and
 * restarts the server. At the end it writes a JSON summary, classifying every failed call by the script's
 * {@code events} file (lines {@code kill <epoch ms>} and {@code ready <epoch ms>}): inside a down window
 * (from a kill until 2 s after the server was ready again) or outside it.
 *
 * <p>Arguments ({@code name=value}): {@code base}, {@code secret} (OMZIEN_JWT_SECRET), {@code journal},
 * {@code ready}, {@code stop}, {@code events}, {@code summary}, and optionally {@code residents} (40),
 * {@code volunteers} (30), {@code residentThreads} (4), {@code volunteerThreads} (3), {@code rate} (calls/s, 80).
 */
public final class CrashLoad {
  private CrashLoad() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = args(args);
    Vertx vertx = Vertx.vertx();
    LoadStats stats = new LoadStats();
    Path stop = Path.of(a.get("stop"));
    try (Api api = new Api(vertx, URI.create(a.get("base")), 32, stats,
        new Api.Pacer(Double.parseDouble(a.getOrDefault("rate", "80"))))) {
      MixedLoad load = new MixedLoad(api, stats, Path.of(a.get("journal")), true);
      load.setUp(new LocalTokens(vertx, a.get("secret")), integer(a, "residents", 40), integer(a, "volunteers", 30));
      Files.writeString(Path.of(a.get("ready")), "ready\n");
      System.out.println("load: set up; running until " + stop + " exists");
      long started = System.currentTimeMillis();
      load.run(integer(a, "residentThreads", 4), integer(a, "volunteerThreads", 3), () -> Files.exists(stop));
      JsonObject summary = stats.toJson()
          .put("seconds", (System.currentTimeMillis() - started) / 1000.0)
          .put("outage", outage(stats, Path.of(a.get("events"))));
      JsonArray samples = new JsonArray();
      stats.errorSamples().forEach(s -> samples.add(new JsonObject().put("at", s.atMillis()).put("what", s.what())
          .put("detail", s.detail())));
      summary.put("errorSamples", samples);
      Files.writeString(Path.of(a.get("summary")), summary.encodePrettily(), StandardCharsets.UTF_8);
      System.out.println("load: done " + summary.encode());
    } finally {
      vertx.close().await();
    }
  }

  /** Failed calls inside and outside the down windows the script recorded. */
  static JsonObject outage(LoadStats stats, Path events) throws Exception {
    List<long[]> windows = new ArrayList<>();
    long killedAt = -1;
    for (String line : Files.readAllLines(events)) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].equals("kill")) {
        killedAt = Long.parseLong(f[1]);
      } else if (f.length == 2 && f[0].equals("ready") && killedAt >= 0) {
        windows.add(new long[] {killedAt, Long.parseLong(f[1]) + 2_000});
        killedAt = -1;
      }
    }
    return new JsonObject()
        .put("downWindows", windows.size())
        .put("downSeconds", windows.stream().mapToLong(w -> w[1] - 2_000 - w[0]).sum() / 1000.0)
        .put("transportErrorsWhileDown", count(stats.transportErrorTimes(), windows, true))
        .put("transportErrorsOutside", count(stats.transportErrorTimes(), windows, false))
        .put("serverErrorsWhileDown", count(stats.serverErrorTimes(), windows, true))
        .put("serverErrorsOutside", count(stats.serverErrorTimes(), windows, false));
  }

  private static long count(List<Long> times, List<long[]> windows, boolean inside) {
    return times.stream().filter(t -> windows.stream().anyMatch(w -> t >= w[0] && t <= w[1]) == inside).count();
  }

  static Map<String, String> args(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are name=value, got " + arg);
      }
      out.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return out;
  }

  static int integer(Map<String, String> a, String name, int fallback) {
    return a.containsKey(name) ? Integer.parseInt(a.get(name)) : fallback;
  }
}
