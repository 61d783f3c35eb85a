package nl.omzien.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A constant-rate (open-loop) load client, wrk2-style: request {@code i} is due at {@code start + i / rate}
 * whether or not earlier answers came back, and its latency is measured from that intended time, so a server
 * that stalls is charged for the whole queue behind the stall (no coordinated omission). Plain wrk has no rate
 * option and Debian has no wrk2, hence this. Replays a plan file ({@link LoadRequest}) cyclically, over
 * {@code connections} keep-alive HTTP/1.1 connections on one event loop, and appends a {@link RunResult} line.
 * The first {@code WARMUP} seconds run at the same rate but are not recorded (this client's own JIT warms up too).
 * <pre>
 * java -cp target/omzien.jar:target/test-classes nl.omzien.bench.load.RateClient URL PLAN SCENARIO RATE SECONDS
 *      CONNECTIONS RESULTS [WARMUP]
 * </pre>
 */
public final class RateClient {
  private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z-]+)\"");

  /** When request {@code i} is due, and how many are due by a given time. Nanoseconds, monotonic clock. */
  public record Schedule(double rate, long startNanos, long total) {
    public Schedule {
      if (!(rate > 0) || total < 0) {
        throw new IllegalArgumentException("rate must be > 0 and total >= 0");
      }
    }

    /** The schedule for {@code seconds} at {@code rate} requests/s. */
    public static Schedule of(double rate, double seconds, long startNanos) {
      return new Schedule(rate, startNanos, (long) Math.floor(rate * seconds));
    }

    public long intendedNanos(long i) {
      return startNanos + (long) Math.floor(i * 1e9 / rate);
    }

    /** How many requests are due at {@code now} (request i is due when {@code now >= intendedNanos(i)}). */
    public long dueBy(long now) {
      if (now < startNanos) {
        return 0;
      }
      long due = (long) Math.floor((now - startNanos) * rate / 1e9) + 1;
      while (due > 0 && intendedNanos(due - 1) > now) {
        due--; // floating point: never count a request as due before its time
      }
      while (due < total && intendedNanos(due) <= now) {
        due++;
      }
      return Math.min(due, total);
    }
  }

  /** The {@code q}-quantile (0..1) of {@code sorted}, nearest rank; 0 for none. */
  public static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7 && args.length != 8) {
      throw new IllegalArgumentException("usage: RateClient URL PLAN SCENARIO RATE SECONDS CONNECTIONS RESULTS [WARMUP]");
    }
    java.net.URI url = java.net.URI.create(args[0]);
    List<LoadRequest> plan = LoadRequest.read(Path.of(args[1]));
    double rate = Double.parseDouble(args[3]);
    double warmup = args.length == 8 ? Double.parseDouble(args[7]) : 0;
    if (warmup > 0) {
      RunResult w = run(url.getHost(), url.getPort(), plan, args[2], rate, warmup, Integer.parseInt(args[5]));
      Files.writeString(Path.of(args[6]), new RunResult(w.scenario(), "warmup", w.targetRate(), w.seconds(), w.sent(),
          w.answered(), w.rps(), w.p50Ms(), w.p99Ms(), w.statuses(), w.codes(), w.socketErrors()).line() + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    RunResult result = run(url.getHost(), url.getPort(), plan, args[2], rate,
        Double.parseDouble(args[4]), Integer.parseInt(args[5]));
    Files.writeString(Path.of(args[6]), result.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    System.out.printf(Locale.ROOT, "%s at %.0f/s: %.0f/s answered, p50 %.2f ms, p99 %.2f ms, statuses %s%n",
        result.scenario(), result.targetRate(), result.rps(), result.p50Ms(), result.p99Ms(), result.statuses());
  }

  /** Runs the schedule against host:port and waits for every answer (at most 30 s after the last send). */
  public static RunResult run(String host, int port, List<LoadRequest> plan, String scenario, double rate,
                              double seconds, int connections) throws InterruptedException {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host)
          .setDefaultPort(port).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
      Run run = new Run(client, plan, rate, seconds);
      Context loop = vertx.getOrCreateContext();
      loop.runOnContext(v -> run.start(vertx));
      if (!run.done.await((long) seconds + 30, TimeUnit.SECONDS)) {
        System.err.println("rate client: not every answer came back within 30 s; counting what did");
      }
      Promise<RunResult> result = Promise.promise();
      loop.runOnContext(v -> result.complete(run.result(scenario)));
      return result.future().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    } finally {
      vertx.close();
    }
  }

  /** One run's state; touched only on the client's single event loop. */
  private static final class Run {
    private final HttpClientAgent client;
    private final List<LoadRequest> plan;
    private final double rate;
    private final double seconds;
    private final long[] latencies;
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final Map<String, Long> codes = new TreeMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private Schedule schedule;
    private long next;
    private long answered;
    private long errors;
    private long finishedNanos;

    Run(HttpClientAgent client, List<LoadRequest> plan, double rate, double seconds) {
      this.client = client;
      this.plan = plan;
      this.rate = rate;
      this.seconds = seconds;
      this.latencies = new long[(int) Math.floor(rate * seconds)];
    }

    void start(Vertx vertx) {
      schedule = Schedule.of(rate, seconds, System.nanoTime());
      vertx.setPeriodic(1, id -> {
        long due = schedule.dueBy(System.nanoTime());
        while (next < due) {
          send(next++);
        }
        if (next >= schedule.total()) {
          vertx.cancelTimer(id);
        }
      });
    }

    private void send(long i) {
      LoadRequest r = plan.get((int) (i % plan.size()));
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(r.method())).setURI(r.path());
      if (r.hasToken()) {
        options.putHeader("Authorization", "Bearer " + r.token());
      }
      if (r.hasBody()) {
        options.putHeader("Content-Type", "application/json");
      }
      Buffer body = r.hasBody() ? Buffer.buffer(r.body()) : Buffer.buffer();
      long intended = schedule.intendedNanos(i);
      client.request(options)
          .compose(request -> request.send(body))
          .compose(response -> response.body().map(b -> {
            if (response.statusCode() == 409) {
              Matcher m = CODE.matcher(b.toString(StandardCharsets.UTF_8));
              codes.merge(m.find() ? m.group(1) : "unknown", 1L, Long::sum);
            }
            return response.statusCode();
          }))
          .onComplete(outcome -> {
            latencies[(int) i] = System.nanoTime() - intended;
            if (outcome.succeeded()) {
              statuses.merge(outcome.result(), 1L, Long::sum);
            } else {
              errors++;
            }
            if (++answered == schedule.total()) {
              finishedNanos = System.nanoTime();
              done.countDown();
            }
          });
    }

    RunResult result(String scenario) {
      long end = finishedNanos == 0 ? System.nanoTime() : finishedNanos;
      double took = (end - schedule.startNanos()) / 1e9;
      // Unanswered requests keep latency 0 and are left out (they are counted in sent - answered).
      long[] sorted = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
      return new RunResult(scenario, "rate", rate, took, next, answered - errors, (answered - errors) / took,
          quantile(sorted, 0.5) / 1e6, quantile(sorted, 0.99) / 1e6, statuses, codes, errors);
    }
  }
}
