package nl.omzien.faults;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the load client saw: every HTTP attempt, its outcome class and latency, and the writes the server
 * acknowledged. Thread-safe. Latencies are kept per interval (the soak report asks for p99 per interval).
 */
final class LoadStats {
  /** An error worth showing: when, what was asked, what came back. */
  record Sample(long atMillis, String what, String detail) {
  }

  final AtomicLong sent = new AtomicLong();
  final AtomicLong ok = new AtomicLong();
  /** 409s that a race explains: offer taken by another volunteer, request already cancelled or matched. */
  final AtomicLong expectedConflicts = new AtomicLong();
  final AtomicLong unexpected4xx = new AtomicLong();
  final AtomicLong serverErrors = new AtomicLong();
  /** Connection refused, reset or closed, or no answer in time. */
  final AtomicLong transportErrors = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  private final Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
  private final List<Sample> errors = new ArrayList<>();
  private final List<Long> transportErrorTimes = new ArrayList<>();
  private final List<Long> serverErrorTimes = new ArrayList<>();
  private long[] latencies = new long[4096];
  private int latencyCount;

  void ack(String kind) {
    acked.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  long acked() {
    return acked.values().stream().mapToLong(AtomicLong::get).sum();
  }

  Map<String, Long> ackedByKind() {
    Map<String, Long> out = new TreeMap<>();
    acked.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  synchronized void latency(long micros) {
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencies.length * 2);
    }
    latencies[latencyCount++] = micros;
  }

  /** The latencies since the last call, sorted (microseconds), and a fresh interval. */
  synchronized long[] drainLatencies() {
    long[] out = Arrays.copyOf(latencies, latencyCount);
    latencyCount = 0;
    Arrays.sort(out);
    return out;
  }

  synchronized void serverError(String what, String detail) {
    serverErrors.incrementAndGet();
    serverErrorTimes.add(System.currentTimeMillis());
    keep(what, detail);
  }

  synchronized void unexpected(String what, String detail) {
    unexpected4xx.incrementAndGet();
    keep(what, detail);
  }

  synchronized void transport(String what, String detail) {
    transportErrors.incrementAndGet();
    transportErrorTimes.add(System.currentTimeMillis());
    if (transportErrorTimes.size() <= 3) {
      keep(what, detail);
    }
  }

  private void keep(String what, String detail) {
    if (errors.size() < 20) {
      errors.add(new Sample(System.currentTimeMillis(), what, detail.length() > 300 ? detail.substring(0, 300) : detail));
    }
  }

  synchronized List<Long> transportErrorTimes() {
    return List.copyOf(transportErrorTimes);
  }

  synchronized List<Long> serverErrorTimes() {
    return List.copyOf(serverErrorTimes);
  }

  synchronized List<Sample> errorSamples() {
    return List.copyOf(errors);
  }

  /** p-th percentile (0-100) of sorted values, nearest rank; 0 when empty. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  JsonObject toJson() {
    JsonObject acks = new JsonObject();
    ackedByKind().forEach(acks::put);
    return new JsonObject()
        .put("requestsSent", sent.get())
        .put("ok2xx", ok.get())
        .put("expectedConflicts409", expectedConflicts.get())
        .put("unexpected4xx", unexpected4xx.get())
        .put("serverErrors5xx", serverErrors.get())
        .put("transportErrors", transportErrors.get())
        .put("retries", retries.get())
        .put("ackedWrites", acked())
        .put("ackedByKind", acks);
  }
}
