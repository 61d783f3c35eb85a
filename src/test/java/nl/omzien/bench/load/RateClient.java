package nl.omzien.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A constant-rate (open-loop) load client, wrk2-style: request {@code i} is due at {@code start + i / rate}
 * whether or not earlier answers came back, and its latency is measured from that intended time, so a server
 * that stalls is charged for the whole queue behind the stall (no coordinated omission). Plain wrk has no rate
 * option and Debian has no wrk2, hence this. Replays a plan file ({@link LoadRequest}) cyclically, over
 * {@code connections} keep-alive HTTP/1.1 connections on one event loop (plain TCP sockets writing each plan line's
 * bytes, encoded once, one request in flight per connection), and appends a {@link RunResult} line.
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

  /**
   * Where a run's slowest answers were: the {@code count} answers at or above the p99, sent between {@code fromS}
   * and {@code toS} seconds into the measured part and within {@code windows} distinct 100 ms windows, the slowest
   * taking {@code maxMs}. Slowest answers sent in one or two windows are a stall (a pause, a vacuum, a flush); in
   * nearly as many windows as answers, they are the steady tail.
   */
  public record Tail(long count, double fromS, double toS, long windows, double maxMs) {
    @Override
    public String toString() {
      return count == 0 ? "no answers"
          : String.format(Locale.ROOT, "the %d answers at or above p99 were sent %.2f-%.2f s into the measured run,"
              + " in %d of its 100 ms windows (slowest %.2f ms)", count, fromS, toS, windows, maxMs);
    }
  }

  /**
   * The {@link Tail} of requests {@code from..to} of a schedule; latencies in nanoseconds, 0 for unanswered (left
   * out, as from the quantiles).
   */
  public static Tail tail(Schedule schedule, long[] latencies, long from, long to) {
    long[] sorted = answeredSorted(latencies, from, to);
    if (sorted.length == 0) {
      return new Tail(0, 0, 0, 0, 0);
    }
    long p99 = quantile(sorted, 0.99);
    long start = schedule.intendedNanos(from);
    long count = 0;
    long first = -1;
    long last = -1;
    long windows = 0;
    for (long i = from; i < to; i++) {
      if (latencies[(int) i] >= p99) {
        long sentAt = schedule.intendedNanos(i) - start; // ascending with i
        if (count++ == 0) {
          first = sentAt;
        }
        if (last < 0 || sentAt / 100_000_000 != last / 100_000_000) {
          windows++;
        }
        last = sentAt;
      }
    }
    return new Tail(count, first / 1e9, last / 1e9, windows, sorted[sorted.length - 1] / 1e6);
  }

  /** The answered latencies of requests from..to, sorted: unanswered ones keep latency 0 and are left out. */
  private static long[] answeredSorted(long[] latencies, long from, long to) {
    return Arrays.stream(latencies, (int) from, (int) to).filter(l -> l > 0).sorted().toArray();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7 && args.length != 8) {
      throw new IllegalArgumentException("usage: RateClient URL PLAN SCENARIO RATE SECONDS CONNECTIONS RESULTS [WARMUP]");
    }
    URI url = URI.create(args[0]);
    List<LoadRequest> plan = LoadRequest.read(Path.of(args[1]));
    double rate = Double.parseDouble(args[3]);
    double warmup = args.length == 8 ? Double.parseDouble(args[7]) : 0;
    Outcome outcome = run(url.getHost(), url.getPort(), plan, args[2], rate, warmup,
        Double.parseDouble(args[4]), Integer.parseInt(args[5]));
    List<RunResult> results = outcome.results();
    StringBuilder lines = new StringBuilder();
    results.forEach(r -> lines.append(r.line()).append('\n'));
    Files.writeString(Path.of(args[6]), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    RunResult result = results.get(results.size() - 1);
    // The wall-clock start lets a stall in the tail be found in the server's access log and the system's records.
    String started = outcome.measuredStart() == null ? "" : "; the measured run started at "
        + LocalTime.ofInstant(outcome.measuredStart(), ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS);
    System.out.printf(Locale.ROOT, "%s at %.0f/s: %.0f/s answered, p50 %.2f ms, p99 %.2f ms, statuses %s; %s%s%n",
        result.scenario(), result.targetRate(), result.rps(), result.p50Ms(), result.p99Ms(), result.statuses(),
        outcome.tail(), started);
  }

  /**
   * A run's results (the warm-up's, when there is one, then the measured one's), its measured part's tail, and when
   * the measured part started by the wall clock (null when nothing was sent), so a stall in the tail can be found in
   * the server's logs.
   */
  public record Outcome(List<RunResult> results, Tail tail, Instant measuredStart) {
  }

  /**
   * Runs the schedule against host:port and waits for every answer (at most 30 s after the last send). The
   * warm-up and the measured part are one schedule over the same connections: the measured part starts with
   * everything as warm as it will be (a new client or new connections at its start cost the first 50 ms of
   * requests several milliseconds each, half of a p99's 1 %). Answers the warm-up's result (mode {@code warmup},
   * when there is one) and the measured one's (mode {@code rate}), with the measured part's {@link Tail}.
   */
  public static Outcome run(String host, int port, List<LoadRequest> plan, String scenario, double rate,
                                    double warmup, double seconds, int connections) throws InterruptedException {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5_000));
      Run run = new Run(client, host, port, encode(plan, host + ":" + port), rate, warmup, seconds);
      Context loop = vertx.getOrCreateContext();
      loop.runOnContext(v -> run.connect(connections).onSuccess(ok -> run.start(vertx)).onFailure(e -> {
        System.err.println("rate client: cannot connect: " + e);
        run.done.countDown();
      }));
      if (!run.done.await((long) (warmup + seconds) + 35, TimeUnit.SECONDS)) {
        System.err.println("rate client: not every answer came back within 30 s; counting what did");
      }
      Promise<Outcome> result = Promise.promise();
      loop.runOnContext(v -> result.complete(new Outcome(run.results(scenario), run.tail(),
          run.measuredStart())));
      return result.future().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e);
    } finally {
      vertx.close();
    }
  }

  /**
   * Each plan line as the bytes of one HTTP/1.1 request, encoded once: the client then only writes bytes and
   * reads status lines, so its own cost per request stays far below the server's (the earlier form, on Vert.x's
   * HTTP client, answered p99 17 ms at 10,000/s against the bare ceiling server alone).
   */
  public static byte[][] encode(List<LoadRequest> plan, String hostHeader) {
    byte[][] out = new byte[plan.size()][];
    for (int i = 0; i < out.length; i++) {
      LoadRequest r = plan.get(i);
      byte[] body = r.hasBody() ? r.body().getBytes(StandardCharsets.UTF_8) : new byte[0];
      StringBuilder head = new StringBuilder(256).append(r.method()).append(' ').append(r.path())
          .append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
      if (r.hasToken()) {
        head.append("Authorization: Bearer ").append(r.token()).append("\r\n");
      }
      if (r.hasBody()) {
        head.append("Content-Type: application/json\r\n");
      }
      if (r.hasBody() || !r.method().equals("GET")) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
      out[i] = Arrays.copyOf(h, h.length + body.length);
      System.arraycopy(body, 0, out[i], h.length, body.length);
    }
    return out;
  }

  /**
   * Splits a connection's bytes into HTTP/1.1 responses, however the reads cut them: the status of each, and the
   * body when the status is 409 (for its problem code); other bodies are counted past, not copied. Responses need a
   * Content-Length (Omzien and the ceiling server always send one); chunked or close-delimited bodies are refused.
   */
  public static final class ResponseParser {
    /** Called once per complete response. */
    public interface Listener {
      void response(int status, byte[] body409);
    }

    private static final int MAX_HEAD = 64 * 1024;
    private final Listener listener;
    private byte[] head = new byte[1024];
    private int headLength;
    private long remaining = -1; // -1: reading the head
    private int status;
    private byte[] body;
    private int bodyLength;

    public ResponseParser(Listener listener) {
      this.listener = listener;
    }

    /** True between responses (nothing of a next one read yet). */
    public boolean idle() {
      return remaining < 0 && headLength == 0;
    }

    public void feed(Buffer data) {
      int i = 0;
      int n = data.length();
      while (i < n) {
        if (remaining < 0) {
          byte b = data.getByte(i++);
          if (headLength == head.length) {
            if (head.length >= MAX_HEAD) {
              throw new IllegalStateException("response head longer than " + MAX_HEAD + " bytes");
            }
            head = Arrays.copyOf(head, head.length * 2);
          }
          head[headLength++] = b;
          if (b == '\n' && headLength >= 4 && head[headLength - 2] == '\r' && head[headLength - 3] == '\n'
              && head[headLength - 4] == '\r') {
            startBody();
            if (remaining == 0) {
              finish();
            }
          }
        } else {
          int take = (int) Math.min(remaining, n - i);
          if (body != null) {
            data.getBytes(i, i + take, body, bodyLength);
            bodyLength += take;
          }
          i += take;
          remaining -= take;
          if (remaining == 0) {
            finish();
          }
        }
      }
    }

    private void startBody() {
      String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.") || text.length() < 12) {
        throw new IllegalStateException("not an HTTP/1.x status line: " + text.lines().findFirst().orElse(""));
      }
      status = Integer.parseInt(text.substring(9, 12));
      long length = -1;
      // lines(), not split("\r\n"): a two-character split compiles a regex for every response.
      for (String line : (Iterable<String>) text.lines()::iterator) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        if (name.equalsIgnoreCase("content-length")) {
          length = Long.parseLong(line.substring(colon + 1).trim());
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
          throw new IllegalStateException("chunked responses are not supported by this client");
        }
      }
      if (length < 0) {
        throw new IllegalStateException("a response without Content-Length (status " + status + ")");
      }
      remaining = length;
      body = status == 409 ? new byte[(int) length] : null;
      bodyLength = 0;
    }

    private void finish() {
      byte[] b = body;
      remaining = -1;
      headLength = 0;
      body = null;
      listener.response(status, b);
    }
  }

  /** What came back for one part of a run (the warm-up or the measured part). */
  private static final class Tally {
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final Map<String, Long> codes = new TreeMap<>();
    private long answered;
    private long errors;
    private long lastAnswerNanos;

    void add(int status, byte[] body409, long now) {
      lastAnswerNanos = now;
      answered++;
      if (status < 0) {
        errors++;
        return;
      }
      statuses.merge(status, 1L, Long::sum);
      if (body409 != null) {
        Matcher m = CODE.matcher(new String(body409, StandardCharsets.UTF_8));
        codes.merge(m.find() ? m.group(1) : "unknown", 1L, Long::sum);
      }
    }

    /** Requests from..to of the schedule; unanswered ones keep latency 0 and are left out of the quantiles. */
    RunResult result(String scenario, String mode, Schedule schedule, long[] latencies, long from, long to,
                     long sent, long endNanos) {
      double took = Math.max(0, (endNanos - schedule.intendedNanos(from)) / 1e9);
      long[] sorted = answeredSorted(latencies, from, to);
      long ok = answered - errors;
      return new RunResult(scenario, mode, schedule.rate(), took, sent, ok, took == 0 ? 0 : ok / took,
          quantile(sorted, 0.5) / 1e6, quantile(sorted, 0.99) / 1e6, statuses, codes, errors);
    }
  }

  /** One run's state; touched only on the client's single event loop. */
  private static final class Run {
    private final NetClient client;
    private final String host;
    private final int port;
    private final byte[][] plan;
    private final double rate;
    private final long warmupCount;
    private final long total;
    private final long[] latencies;
    private final Tally warmup = new Tally();
    private final Tally measured = new Tally();
    private final CountDownLatch done = new CountDownLatch(1);
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private Schedule schedule;
    private Instant startWall;
    private long next; // every request before it was sent; those from it up to the schedule's due wait for a connection
    private long answered;

    Run(NetClient client, String host, int port, byte[][] plan, double rate, double warmupSeconds, double seconds) {
      this.client = client;
      this.host = host;
      this.port = port;
      this.plan = plan;
      this.rate = rate;
      this.warmupCount = (long) Math.floor(rate * warmupSeconds);
      this.total = warmupCount + (long) Math.floor(rate * seconds);
      this.latencies = new long[Math.toIntExact(total)];
    }

    Future<Void> connect(int connections) {
      List<Future<Connection>> all = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        all.add(open());
      }
      return Future.all(all).onSuccess(ok -> all.forEach(f -> idle.push(f.result()))).mapEmpty();
    }

    private Future<Connection> open() {
      return client.connect(port, host).map(Connection::new);
    }

    void start(Vertx vertx) {
      schedule = new Schedule(rate, System.nanoTime(), total);
      startWall = Instant.now();
      if (total == 0) {
        done.countDown();
        return;
      }
      vertx.setPeriodic(1, id -> {
        long due = schedule.dueBy(System.nanoTime());
        while (next < due && !idle.isEmpty()) {
          idle.pop().send(next++);
        }
        if (next >= total) {
          vertx.cancelTimer(id);
        }
      });
    }

    /** A connection just became free: it takes the oldest waiting request, or waits for the next due one. */
    private void free(Connection c) {
      if (next < total && next < schedule.dueBy(System.nanoTime())) {
        c.send(next++);
      } else {
        idle.push(c);
      }
    }

    private void answered(long i, int status, byte[] body409) {
      long now = System.nanoTime();
      latencies[(int) i] = now - schedule.intendedNanos(i);
      (i < warmupCount ? warmup : measured).add(status, body409, now);
      if (++answered == total) {
        done.countDown();
      }
    }

    List<RunResult> results(String scenario) {
      List<RunResult> out = new ArrayList<>();
      if (schedule == null) {
        return List.of(new Tally().result(scenario, "rate", new Schedule(rate, 0, 0), latencies, 0, 0, 0, 0));
      }
      if (warmupCount > 0) {
        out.add(warmup.result(scenario, "warmup", schedule, latencies, 0, warmupCount, Math.min(next, warmupCount),
            schedule.intendedNanos(warmupCount)));
      }
      long end = answered == total ? measured.lastAnswerNanos : System.nanoTime();
      out.add(measured.result(scenario, "rate", schedule, latencies, warmupCount, total,
          Math.max(0, next - warmupCount), Math.max(end, schedule.intendedNanos(warmupCount))));
      return out;
    }

    /** When the measured part started by the wall clock (null before the schedule started). */
    Instant measuredStart() {
      return schedule == null ? null
          : startWall.plusNanos(schedule.intendedNanos(warmupCount) - schedule.startNanos());
    }

    Tail tail() {
      return schedule == null ? new Tail(0, 0, 0, 0, 0) : RateClient.tail(schedule, latencies, warmupCount, total);
    }

    /** One keep-alive connection with at most one request in flight. */
    private final class Connection {
      private final NetSocket socket;
      private final ResponseParser parser;
      private long inFlight = -1;
      private boolean broken;

      Connection(NetSocket socket) {
        this.socket = socket;
        this.parser = new ResponseParser((status, body) -> {
          long i = inFlight;
          inFlight = -1;
          if (i >= 0) {
            answered(i, status, body);
            free(this);
          }
        });
        socket.handler(data -> {
          try {
            parser.feed(data);
          } catch (RuntimeException e) {
            System.err.println("rate client: " + e.getMessage());
            socket.close();
          }
        });
        socket.exceptionHandler(e -> socket.close());
        socket.closeHandler(v -> lost());
      }

      void send(long i) {
        inFlight = i;
        socket.write(Buffer.buffer(plan[(int) (i % plan.length)]));
      }

      /** The server or an error closed it: its request counts as a socket error; a new connection replaces it. */
      private void lost() {
        if (broken) {
          return;
        }
        broken = true;
        idle.remove(this);
        long i = inFlight;
        inFlight = -1;
        if (i >= 0) {
          answered(i, -1, null);
        }
        if (schedule != null && answered < total) {
          open().onSuccess(Run.this::free).onFailure(e -> System.err.println("rate client: reconnect failed: " + e));
        }
      }
    }
  }
}
