package nl.omzien.bench.load;

import java.util.List;
import java.util.Locale;

/**
 * The one table a load run prints: per scenario and mode, requests/s, p50 and p99, unexpected answers, the ratio to
 * the bare Vert.x ceiling (reads, max mode) and the target with whether it was met.
 */
public final class LoadTable {
  private LoadTable() {
  }

  /** The reads whose throughput is reported relative to the ceiling. */
  static boolean isRead(String scenario) {
    return scenario.equals("nearby") || scenario.equals("offers") || scenario.equals("queue");
  }

  /** The target for a run, with whether it was met; empty when there is none. */
  static String target(RunResult r, double ceilingRps) {
    boolean max = r.mode().equals("max");
    return switch (r.scenario() + (max ? "" : "@rate")) {
      case "nearby" -> verdict(">= 60% of ceiling", ceilingRps > 0 && r.rps() >= 0.6 * ceilingRps);
      case "nearby@rate" -> verdict("p99 <= 10 ms", r.p99Ms() <= 10);
      case "create" -> verdict(">= 1,000 rps", r.rps() >= 1000);
      case "create@rate" -> verdict("p99 <= 50 ms", r.p99Ms() <= 50);
      case "accept" -> verdict(">= 1,500 rps", r.rps() >= 1500);
      default -> "";
    };
  }

  private static String verdict(String target, boolean met) {
    return target + (met ? " met" : " MISSED");
  }

  public static String render(List<RunResult> results) {
    double ceiling = results.stream().filter(r -> r.scenario().equals("ceiling") && r.mode().equals("max"))
        .mapToDouble(RunResult::rps).max().orElse(0);
    StringBuilder out = new StringBuilder();
    String format = "| %-9s | %-11s | %9s | %8s | %8s | %-22s | %10s | %-26s |%n";
    out.append(String.format(Locale.ROOT, format, "scenario", "load", "req/s", "p50 ms", "p99 ms",
        "unexpected answers", "of ceiling", "target"));
    out.append(String.format(Locale.ROOT, format, "-".repeat(9), "-".repeat(11), "-".repeat(9), "-".repeat(8),
        "-".repeat(8), "-".repeat(22), "-".repeat(10), "-".repeat(26)));
    for (RunResult r : results) {
      if (r.mode().equals("warmup")) {
        continue;
      }
      boolean max = r.mode().equals("max");
      long unexpected = ResultCheck.answers(r).ok() ? 0 : r.answered() - r.ok()
          - (r.scenario().equals("accept") ? r.status(409) : 0) + r.socketErrors();
      String answers = unexpected + (r.scenario().equals("accept")
          ? String.format(Locale.ROOT, " (409: %d)", r.status(409)) : "");
      out.append(String.format(Locale.ROOT, format, r.scenario(),
          max ? "max (wrk)" : String.format(Locale.ROOT, "%.0f/s const", r.targetRate()),
          String.format(Locale.ROOT, "%,.0f", r.rps()), String.format(Locale.ROOT, "%.2f", r.p50Ms()),
          String.format(Locale.ROOT, "%.2f", r.p99Ms()), answers,
          isRead(r.scenario()) && max && ceiling > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * r.rps() / ceiling) : "",
          target(r, ceiling)));
    }
    return out.toString();
  }
}
