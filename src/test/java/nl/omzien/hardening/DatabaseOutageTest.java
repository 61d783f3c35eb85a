package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database goes away for ten seconds under a light load (four clients, reads and writes) and comes back on
 * the same port and data directory. While it is gone, requests that need it are answered quickly with 503
 * problem+json and Retry-After (no 500, no hang) and readiness says 503; when it returns, the service recovers
 * by itself, without a restart.
 */
@DisplayName("A database outage (issue 7)")
@ExtendWith(BlockedThreadWatch.class)
class DatabaseOutageTest {
  private static final int CLIENTS = 4;
  private static final long OUTAGE_MS = 10_000;
  /** A request still unanswered after this long is hanging. */
  private static final int HANG_MS = 15_000;

  /** {@code phase} when the request was sent, {@code endPhase} when it was answered. */
  private record Outcome(String phase, String endPhase, int status, String contentType, String problemType, String retryAfter,
                         long millis, String error) {
  }

  private final AtomicReference<String> phase = new AtomicReference<>("before");
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  @Test
  @DisplayName("gets 503 with Retry-After (not 500, not a hang), readiness goes down, and it recovers by itself")
  void outage() throws Exception {
    try (StoppablePostgres postgres = StoppablePostgres.start();
         TestApp app = TestApp.start("outage", Map.of("DATABASE_URL", postgres.databaseUrl()))) {
      UUID ria = UUID.randomUUID();
      String token = app.token(ria, Set.of(Role.RESIDENT), Set.of());
      assertEquals(200, send(app, HttpMethod.PUT, "/v1/me", token, new JsonObject().put("displayName", "Ria"))
          .await(10, TimeUnit.SECONDS).statusCode());

      CountDownLatch stopped = new CountDownLatch(CLIENTS);
      for (int i = 0; i < CLIENTS; i++) {
        loop(app, token, i, 0, stopped);
      }
      TimeUnit.MILLISECONDS.sleep(1_500);

      phase.set("outage");
      long down = System.nanoTime();
      postgres.stop();
      int readyWhileDown = pollReadiness(app, 503);
      var refused = send(app, HttpMethod.PUT, "/v1/me", token, new JsonObject().put("displayName", "Ria"))
          .await(HANG_MS, TimeUnit.MILLISECONDS);
      assertEquals(503, refused.statusCode(), refused::bodyAsString);
      app.assertMatchesContract("putMe", refused);
      long remaining = OUTAGE_MS - (System.nanoTime() - down) / 1_000_000;
      TimeUnit.MILLISECONDS.sleep(Math.max(0, remaining)); // the outage itself lasts this long, load keeps coming

      phase.set("recovering");
      postgres.startAgain();
      long up = System.nanoTime();
      int readyAgain = pollReadiness(app, 200);
      assertEquals(200, awaitStatus(() -> send(app, HttpMethod.GET, "/v1/me", token, null), 200));
      long recoveredMs = (System.nanoTime() - up) / 1_000_000;

      phase.set("after");
      TimeUnit.MILLISECONDS.sleep(1_500);
      running = false;
      assertTrue(stopped.await(HANG_MS * 2L, TimeUnit.MILLISECONDS), "the clients finished");

      var write = send(app, HttpMethod.PUT, "/v1/me", token, new JsonObject().put("displayName", "Ria na de storing"))
          .await(10, TimeUnit.SECONDS);
      assertEquals(200, write.statusCode(), write::bodyAsString);
      assertEquals("Ria na de storing", send(app, HttpMethod.GET, "/v1/me", token, null)
          .await(10, TimeUnit.SECONDS).bodyAsJsonObject().getString("displayName"));

      report(readyWhileDown, readyAgain, recoveredMs);
      check();
    }
  }

  private void check() {
    List<Outcome> all = new ArrayList<>(outcomes);
    for (Outcome o : all) {
      assertTrue(o.error() == null, () -> "no answer (hang or broken connection) " + o);
      assertTrue(o.status() == 200 || o.status() == 503, () -> "only 200 or 503, never a 500: " + o);
      if (o.status() == 503) {
        assertTrue(o.contentType() != null && o.contentType().startsWith("application/problem+json"), o::toString);
        assertEquals("https://omzien.nl/problems/service-unavailable", o.problemType(), o::toString);
        assertTrue(o.retryAfter() != null && Integer.parseInt(o.retryAfter()) >= 1, o::toString);
      }
      assertTrue(o.millis() < HANG_MS, () -> "answered without hanging: " + o);
    }
    assertTrue(all.stream().filter(o -> o.endPhase().equals("before")).allMatch(o -> o.status() == 200),
        "all well while the database was up (a request in flight when it went down may get 503)");
    assertTrue(all.stream().anyMatch(o -> o.phase().equals("outage") && o.status() == 503),
        "requests that need the database were refused while it was gone");
    assertTrue(all.stream().filter(o -> o.phase().equals("after")).allMatch(o -> o.status() == 200),
        "all well again after recovery");
    assertTrue(all.stream().filter(o -> o.phase().equals("after")).count() > CLIENTS);
  }

  private void report(int readyWhileDown, int readyAgain, long recoveredMs) {
    Map<String, Map<Integer, Integer>> byPhase = new TreeMap<>();
    Map<String, Long> slowest = new TreeMap<>();
    for (Outcome o : outcomes) {
      byPhase.computeIfAbsent(o.phase(), p -> new TreeMap<>()).merge(o.status(), 1, Integer::sum);
      slowest.merge(o.phase(), o.millis(), Math::max);
    }
    System.out.println("Database outage (" + OUTAGE_MS / 1000 + " s, " + CLIENTS + " clients): statuses by phase "
        + byPhase + "; slowest answer by phase (ms) " + slowest + "; readiness 503 after " + readyWhileDown
        + " polls, 200 again after " + readyAgain + " polls; first successful request " + recoveredMs
        + " ms after the database was back");
  }

  /** Polls readiness every 100 ms until it answers {@code status}; returns the number of polls. */
  private static int pollReadiness(TestApp app, int status) throws Exception {
    int polls = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      polls++;
      var response = app.client().get("/health/ready").timeout(HANG_MS).send().await(HANG_MS, TimeUnit.MILLISECONDS);
      if (response.statusCode() == status) {
        if (status == 503) {
          assertEquals("application/problem+json", response.getHeader("Content-Type"));
          assertTrue(response.getHeader("Retry-After") != null);
          app.assertMatchesContract("getReadiness", response);
        }
        return polls;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("readiness never answered " + status);
  }

  private static int awaitStatus(Supplier<Future<HttpResponse<Buffer>>> request, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = request.get().await(HANG_MS, TimeUnit.MILLISECONDS).statusCode();
      if (last == status) {
        return last;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return last;
  }

  private static Future<HttpResponse<Buffer>> send(TestApp app, HttpMethod method, String path, String token,
                                                   JsonObject body) {
    HttpRequest<Buffer> request = app.client().request(method, path).timeout(HANG_MS);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /** One client: a request, 20 ms thinking, the next; reads and writes in turn. */
  private void loop(TestApp app, String token, int client, int n, CountDownLatch stopped) {
    if (!running) {
      stopped.countDown();
      return;
    }
    String current = phase.get();
    long start = System.nanoTime();
    Future<HttpResponse<Buffer>> response = switch ((client + n) % 4) {
      case 0 -> send(app, HttpMethod.GET, "/v1/me", token, null);
      case 1 -> send(app, HttpMethod.PUT, "/v1/me", token, new JsonObject().put("displayName", "Ria " + n));
      case 2 -> send(app, HttpMethod.GET, "/v1/requests?limit=5", token, null);
      default -> send(app, HttpMethod.GET, "/v1/activities/nearby?lat=52.0907&lon=5.1214", token, null);
    };
    response.onComplete(result -> {
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (result.succeeded()) {
        HttpResponse<Buffer> r = result.result();
        String type = null;
        if (r.getHeader("Content-Type") != null && r.getHeader("Content-Type").startsWith("application/problem+json")) {
          type = r.bodyAsJsonObject().getString("type");
        }
        outcomes.add(new Outcome(current, phase.get(), r.statusCode(), r.getHeader("Content-Type"), type,
            r.getHeader("Retry-After"), millis, null));
      } else {
        outcomes.add(new Outcome(current, phase.get(), -1, null, null, null, millis, result.cause().toString()));
      }
      app.clientVertx().setTimer(20, id -> loop(app, token, client, n + 1, stopped));
    });
  }
}
