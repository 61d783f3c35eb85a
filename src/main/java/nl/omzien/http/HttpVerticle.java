package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Authenticator;
import nl.omzien.config.HttpLimits;

/**
 * One HTTP server instance (deployed once per core; Vert.x spreads connections over them). Stopping it shuts
 * the server down gracefully: no new connections, in-flight requests get {@code grace} to finish.
 */
public final class HttpVerticle extends VerticleBase {
  private final OpenAPIContract contract;
  private final Authenticator authenticator;
  private final List<Endpoint> endpoints;
  private final String host;
  private final int port;
  private final int maxBodyBytes;
  private final Duration grace;
  private final HttpLimits limits;
  private final RateLimits rateLimits;
  private HttpServer server;

  /**
   * @param limits     slow-client timeouts (idle, request head, body)
   * @param rateLimits shared by all instances, so a client's limit does not depend on which event loop serves it
   */
  public HttpVerticle(OpenAPIContract contract, Authenticator authenticator, List<Endpoint> endpoints, String host,
                      int port, int maxBodyBytes, Duration grace, HttpLimits limits, RateLimits rateLimits) {
    this.contract = contract;
    this.authenticator = authenticator;
    this.endpoints = endpoints;
    this.host = host;
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.grace = grace;
    this.limits = limits;
    this.rateLimits = rateLimits;
  }

  @Override
  public Future<?> start() {
    SlowClients slowClients = new SlowClients(vertx, limits.headerTimeout(), limits.idleTimeout(),
        limits.bodyTimeout());
    var router = ApiRouter.create(vertx, contract, authenticator, maxBodyBytes, endpoints, rateLimits, slowClients);
    server = vertx.createHttpServer(serverOptions(limits));
    return server
        .connectionHandler(connection -> {
          BatchedFlush.install(connection);
          slowClients.connected(connection);
        })
        .invalidRequestHandler(Problems::invalidRequest)
        .requestHandler(slowClients.guard(router))
        .listen(port, host);
  }

  /** The server's options: its limits, HTTP/1.1 only in cleartext, compressed answers for clients that ask. */
  static HttpServerOptions serverOptions(HttpLimits limits) {
    return new HttpServerOptions()
        .setIdleTimeout((int) limits.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // No cleartext HTTP/2: the app speaks HTTP/1.1 here (or h2 to a TLS proxy), and with h2c detection a
        // connection becomes visible only after its first complete head, which defeats the head deadline.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(true)
        // No WebSockets in this API: without their compression extensions Vert.x leaves the extension handler out
        // of every connection's pipeline, which each request and response otherwise passes through.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
