package nl.omzien.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of a load run: a bare Vert.x HTTP server answering every request with the same small JSON body (no
 * router, auth, validation or database), deployed as {@code instances} verticles like Omzien's HTTP instances, so
 * it gets the same number of event loops. What Omzien reaches on a read is reported as a share of this.
 * <pre>
 * java -cp target/omzien.jar:target/test-classes nl.omzien.bench.CeilingServer PORT INSTANCES
 * </pre>
 */
public final class CeilingServer extends VerticleBase {
  /** About the size of a page of nearby activities' envelope; the point is a fixed answer, not its size. */
  static final Buffer BODY = Buffer.buffer("{\"items\":[],\"nextCursor\":null,\"ceiling\":true}");

  private final int port;

  public CeilingServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(request -> request.response()
            .putHeader("Content-Type", "application/json")
            .end(BODY))
        .listen(port);
  }

  /** Deploys {@code instances} servers on {@code port} (Vert.x shares the port among them). */
  public static Future<String> deploy(Vertx vertx, int port, int instances) {
    return vertx.deployVerticle(() -> new CeilingServer(port), new DeploymentOptions().setInstances(instances));
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    deploy(Vertx.vertx(), port, instances).await(30, TimeUnit.SECONDS);
    System.out.println("ceiling server on port " + port + " with " + instances + " instances");
  }
}
