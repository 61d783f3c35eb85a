package nl.omzien.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Deadlines that a client trickling bytes cannot stretch (the idle timeout alone restarts on every byte, so a
 * slowloris client sending one header byte a second would hold a connection for ever):
 * <ul>
 *   <li><b>head</b>: a new HTTP/1.x connection must complete its first request head within {@code headerTimeout};
 *       after each response the next head must arrive within {@code idleTimeout} (keep-alive). Otherwise the
 *       connection is closed (no response: there is no request to answer).</li>
 *   <li><b>body</b>: the body must have arrived {@code bodyTimeout} after the head, else 408 {@code request-timeout}
 *       and the connection is closed.</li>
 * </ul>
 * The server must run without cleartext HTTP/2 (h2c): with it, Vert.x announces an HTTP/1.x connection only once
 * its first request head is complete, too late to time it.
 * One instance per HTTP verticle: its connections all live on that verticle's event loop, so no locking.
 */
public final class SlowClients {
  private final Vertx vertx;
  private final long headerMs;
  private final long keepAliveMs;
  private final long bodyMs;
  private final Map<HttpConnection, Long> headTimers = new IdentityHashMap<>();
  /** Open HTTP/1.x connections and their requests in flight (pipelined requests can overlap). */
  private final Map<HttpConnection, Integer> open = new IdentityHashMap<>();

  public SlowClients(Vertx vertx, Duration headerTimeout, Duration idleTimeout, Duration bodyTimeout) {
    this.vertx = vertx;
    this.headerMs = headerTimeout.toMillis();
    this.keepAliveMs = idleTimeout.toMillis();
    this.bodyMs = bodyTimeout.toMillis();
  }

  /** Server connection handler: the first request head is due within the header timeout. */
  public void connected(HttpConnection connection) {
    open.put(connection, 0);
    arm(connection, headerMs);
    connection.closeHandler(v -> {
      open.remove(connection);
      disarm(connection);
    });
  }

  /** Wraps the server's request handler: a head arrived, so its deadline is met. */
  public Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
    return request -> {
      HttpConnection connection = request.connection();
      if (request.version() != HttpVersion.HTTP_2 && open.containsKey(connection)) {
        disarm(connection);
        open.merge(connection, 1, Integer::sum);
      }
      next.handle(request);
    };
  }

  /**
   * Root handler (before the body handler): the body must be complete within the body timeout, and after the
   * response the connection's next request head is due within the idle timeout.
   */
  public SecurityPolicyHandler deadlines() {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      long bodyTimer = request.isEnded() ? -1 : vertx.setTimer(bodyMs, id -> {
        if (!request.isEnded() && !ctx.response().ended()) {
          ctx.response().putHeader("Connection", "close");
          Problem.of(ProblemType.REQUEST_TIMEOUT, "The request body did not arrive in time.").send(ctx);
          request.connection().close();
        }
      });
      ctx.addEndHandler(done -> {
        if (bodyTimer >= 0) {
          vertx.cancelTimer(bodyTimer);
        }
        HttpConnection connection = request.connection();
        Integer inFlight = open.computeIfPresent(connection, (c, n) -> Math.max(0, n - 1));
        if (inFlight != null && inFlight == 0) {
          arm(connection, keepAliveMs);
        }
      });
      ctx.next();
    };
  }

  private void arm(HttpConnection connection, long ms) {
    disarm(connection);
    headTimers.put(connection, vertx.setTimer(ms, id -> {
      headTimers.remove(connection);
      connection.close();
    }));
  }

  private void disarm(HttpConnection connection) {
    Long timer = headTimers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

}
