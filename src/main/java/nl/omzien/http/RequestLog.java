package nl.omzien.http;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per request: method, route template (never the concrete path, which may carry ids), status,
 * latency and the request id. The id comes from a well-formed {@code X-Request-Id} header or is made here, and
 * is returned in {@code X-Request-Id}. No bodies, query strings, tokens or personal data are logged.
 */
public final class RequestLog implements PlatformHandler {
  static final RequestLog INSTANCE = new RequestLog();
  private static final Logger LOG = LoggerFactory.getLogger("omzien.access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");
  static final String REQUEST_ID = "omzien.requestId";
  static final String ROUTE = "omzien.route";
  public static final String HEADER = "X-Request-Id";
  /** The status logged when the connection closed before the response was sent. */
  static final int CLIENT_CLOSED = 499;

  private RequestLog() {
  }

  /** Root handler: assigns the id, sets the header and logs when the response ends. */
  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String incoming = ctx.request().getHeader(HEADER);
    String id = incoming != null && SAFE_ID.matcher(incoming).matches() ? incoming : newId();
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(HEADER, id);
    // A client that went away before the answer was sent (a load run's wrk at its stop, a phone losing signal) is
    // logged 499, as nginx does: the response's status was still the default 200, whatever the request had done.
    ctx.addEndHandler(result -> LOG.info("{} {} {} {}ms rid={}",
        ctx.request().method().name(),
        routeOf(ctx),
        result.succeeded() ? ctx.response().getStatusCode() : CLIENT_CLOSED,
        tenths((System.nanoTime() - start) / 100_000),
        id));
    ctx.next();
  }

  /**
   * A version-4 style UUID from {@link ThreadLocalRandom}: unique enough to find a request in the logs, and no
   * lock on the shared SecureRandom that {@link UUID#randomUUID()} takes on every request of every event loop.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** Milliseconds with one decimal, from tenths of a millisecond (as "%.1f" gave, without the formatter). */
  static String tenths(long tenthsOfMillis) {
    return (tenthsOfMillis / 10) + "." + (tenthsOfMillis % 10);
  }

  /** Remembers the contract path of the matched operation, for the log line. */
  static void route(RoutingContext ctx, String openApiPath) {
    ctx.put(ROUTE, openApiPath);
  }

  private static String routeOf(RoutingContext ctx) {
    String route = ctx.get(ROUTE);
    return route != null ? route : "(unmatched)";
  }

  public static String requestId(RoutingContext ctx) {
    return ctx.get(REQUEST_ID);
  }
}
