package nl.omzien.faults;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * A blocking HTTP client for load threads (plain threads, never an event loop): one call, its latency and
 * outcome recorded in {@link LoadStats}. A transport failure (refused, reset, timed out) is an answer too.
 */
final class Api implements AutoCloseable {
  /** What one call gave: a status and body, or {@code status == 0} for a transport failure. */
  record Answer(int status, JsonObject body, String error) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    boolean transportFailed() {
      return status == 0;
    }

    String code() {
      return body == null ? null : body.getString("code");
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final LoadStats stats;
  private final Pacer pacer;
  private final int timeoutMs;

  Api(Vertx vertx, URI base, int connections, LoadStats stats, Pacer pacer) {
    this.vertx = vertx;
    this.stats = stats;
    this.pacer = pacer;
    this.timeoutMs = 15_000;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost(base.getHost())
        .setDefaultPort(base.getPort())
        .setKeepAlive(true)
        // The pool drops connections unused for 15 s itself (before the server's 30 s keep-alive deadline). An
        // idle timeout instead closes them under the pool, which can still lend one that is being closed.
        .setKeepAliveTimeout(15)
        .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(connections));
  }

  Answer get(String path, String token) {
    return call(HttpMethod.GET, path, token, null, null);
  }

  Answer post(String path, String token, JsonObject body) {
    return call(HttpMethod.POST, path, token, body, null);
  }

  Answer put(String path, String token, JsonObject body) {
    return call(HttpMethod.PUT, path, token, body, null);
  }

  Answer call(HttpMethod method, String path, String token, JsonObject body, String idempotencyKey) {
    pacer.acquire();
    HttpRequest<Buffer> request = client.request(method, path).timeout(timeoutMs);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    stats.sent.incrementAndGet();
    long start = System.nanoTime();
    String what = method + " " + path.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}");
    try {
      HttpResponse<Buffer> response = (body == null ? request.send() : request.sendJsonObject(body))
          .await(timeoutMs + 5_000L, TimeUnit.MILLISECONDS);
      stats.latency((System.nanoTime() - start) / 1_000);
      int status = response.statusCode();
      JsonObject json = parse(response);
      if (status >= 200 && status < 300) {
        stats.ok.incrementAndGet();
      } else if (status >= 500) {
        stats.serverError(what, status + " " + response.bodyAsString());
      } else if (status == 409) {
        stats.expectedConflicts.incrementAndGet();
      } else {
        stats.unexpected(what, status + " " + response.bodyAsString());
      }
      return new Answer(status, json, null);
    } catch (Exception e) {
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      stats.transport(what, error);
      return new Answer(0, null, error);
    }
  }

  private static JsonObject parse(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    if (body == null || body.length() == 0 || body.getByte(0) != '{') {
      return null;
    }
    try {
      return body.toJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * Spreads calls evenly at a target rate over all threads (a shared schedule); when a thread falls more than a
   * second behind, the schedule restarts from now instead of bursting to catch up. Rate 0: no pacing.
   */
  static final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(double perSecond) {
      this.intervalNanos = perSecond <= 0 ? 0 : (long) (1e9 / perSecond);
    }

    void acquire() {
      if (intervalNanos == 0) {
        return;
      }
      long slot;
      synchronized (this) {
        long now = System.nanoTime();
        if (next < now - 1_000_000_000L) {
          next = now;
        }
        slot = next;
        next += intervalNanos;
      }
      long wait = slot - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
