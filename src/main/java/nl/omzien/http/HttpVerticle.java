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

/**
 * One HTTP server instance (deployed once per core; Vert.x spreads connections over them). Stopping it shuts
 * the server down gracefully: no new connections, in-flight requests get {@code grace} to finish.
 */
public final class HttpVerticle extends VerticleBase {
  /** Idle connections (including slow clients that stop sending) are closed after this many seconds. */
  private static final int IDLE_TIMEOUT_SECONDS = 30;

  private final OpenAPIContract contract;
  private final Authenticator authenticator;
  private final List<Endpoint> endpoints;
  private final String host;
  private final int port;
  private final int maxBodyBytes;
  private final Duration grace;
  private HttpServer server;

  public HttpVerticle(OpenAPIContract contract, Authenticator authenticator, List<Endpoint> endpoints, String host,
                      int port, int maxBodyBytes, Duration grace) {
    this.contract = contract;
    this.authenticator = authenticator;
    this.endpoints = endpoints;
    this.host = host;
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.grace = grace;
  }

  @Override
  public Future<?> start() {
    var router = ApiRouter.create(vertx, contract, authenticator, maxBodyBytes, endpoints);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        .setCompressionSupported(true)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024));
    return server.requestHandler(router).listen(port, host);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
