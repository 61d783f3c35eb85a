package nl.omzien.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One measured run of one scenario, as a line of {@code results.tsv}: tab-separated {@code key=value} pairs
 * written by the wrk script's {@code done()} and by {@link RateClient}. Latencies in milliseconds.
 *
 * @param scenario     e.g. {@code nearby}, {@code ceiling}, {@code create}
 * @param mode         {@code max} (wrk, closed loop, as fast as it goes) or {@code rate} (constant rate)
 * @param targetRate   requests/s asked for in {@code rate} mode, 0 in {@code max} mode
 * @param seconds      how long the run lasted
 * @param sent         requests sent (plan lines used)
 * @param answered     responses received (sent - answered were in flight when wrk stopped)
 * @param rps          answered / seconds
 * @param statuses     responses by HTTP status
 * @param codes        409 answers by their problem {@code code} (e.g. {@code offer-filled})
 * @param socketErrors connect/read/write errors and timeouts
 */
public record RunResult(String scenario, String mode, double targetRate, double seconds, long sent, long answered,
                        double rps, double p50Ms, double p99Ms, Map<Integer, Long> statuses,
                        Map<String, Long> codes, long socketErrors) {

  /** Answers with a 2xx status. */
  public long ok() {
    return statuses.entrySet().stream().filter(e -> e.getKey() / 100 == 2).mapToLong(Map.Entry::getValue).sum();
  }

  public long status(int status) {
    return statuses.getOrDefault(status, 0L);
  }

  /** Two runs of one scenario as one (the accept warm-up and its main run race over disjoint offers). */
  public static RunResult sum(RunResult a, RunResult b) {
    Map<Integer, Long> statuses = new TreeMap<>(a.statuses());
    b.statuses().forEach((k, v) -> statuses.merge(k, v, Long::sum));
    Map<String, Long> codes = new TreeMap<>(a.codes());
    b.codes().forEach((k, v) -> codes.merge(k, v, Long::sum));
    double seconds = a.seconds() + b.seconds();
    long answered = a.answered() + b.answered();
    return new RunResult(a.scenario(), "sum", 0, seconds, a.sent() + b.sent(), answered,
        seconds == 0 ? 0 : answered / seconds, Math.max(a.p50Ms(), b.p50Ms()), Math.max(a.p99Ms(), b.p99Ms()),
        statuses, codes, a.socketErrors() + b.socketErrors());
  }

  public String line() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("scenario", scenario);
    f.put("mode", mode);
    f.put("target_rate", fmt(targetRate));
    f.put("seconds", fmt(seconds));
    f.put("sent", Long.toString(sent));
    f.put("answered", Long.toString(answered));
    f.put("rps", fmt(rps));
    f.put("p50_ms", fmt(p50Ms));
    f.put("p99_ms", fmt(p99Ms));
    f.put("statuses", join(statuses));
    f.put("codes", join(codes));
    f.put("socket_errors", Long.toString(socketErrors));
    List<String> parts = new ArrayList<>();
    f.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join("\t", parts);
  }

  public static RunResult parse(String line) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String part : line.split("\t")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    Map<Integer, Long> statuses = new TreeMap<>();
    split(f.getOrDefault("statuses", "")).forEach((k, v) -> statuses.put(Integer.parseInt(k), v));
    return new RunResult(f.get("scenario"), f.getOrDefault("mode", "max"),
        number(f, "target_rate"), number(f, "seconds"), (long) number(f, "sent"), (long) number(f, "answered"),
        number(f, "rps"), number(f, "p50_ms"), number(f, "p99_ms"), statuses,
        new TreeMap<>(split(f.getOrDefault("codes", ""))), (long) number(f, "socket_errors"));
  }

  /** Every line of a results file, in order. */
  public static List<RunResult> readAll(Path file) throws IOException {
    List<RunResult> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(parse(line));
        }
      }
    }
    return out;
  }

  private static double number(Map<String, String> f, String key) {
    String v = f.get(key);
    return v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
  }

  private static Map<String, Long> split(String joined) {
    Map<String, Long> out = new TreeMap<>();
    if (!joined.isEmpty()) {
      for (String pair : joined.split(",")) {
        int colon = pair.lastIndexOf(':');
        out.merge(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)), Long::sum);
      }
    }
    return out;
  }

  private static String join(Map<?, Long> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((k, v) -> parts.add(k + ":" + v));
    return String.join(",", parts);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
