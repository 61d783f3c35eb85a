package nl.omzien.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of a load run: a bare Vert.x HTTP server answering every request with the same fixed JSON body (no
 * router, auth, validation or database), deployed as {@code instances} verticles like Omzien's HTTP instances, so
 * it gets the same number of event loops. What Omzien reaches on a read is reported as a share of this. The body is
 * a small document, or a file (load.sh gives it a real nearby-activities page of median size, so the ceiling
 * moves the same bytes as the read it is compared with).
 * <pre>
 * java -cp target/omzien.jar:target/test-classes nl.omzien.bench.CeilingServer PORT [INSTANCES [BODY_FILE]]
 * </pre>
 */
public final class CeilingServer extends VerticleBase {
  /** The default answer: a small fixed JSON document. */
  static final Buffer SMALL_BODY = Buffer.buffer("{\"items\":[],\"nextCursor\":null,\"ceiling\":true}");

  private final int port;
  private final Buffer body;

  public CeilingServer(int port, Buffer body) {
    this.port = port;
    this.body = body;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(request -> request.response()
            .putHeader("Content-Type", "application/json")
            .end(body))
        .listen(port);
  }

  /** Deploys {@code instances} servers on {@code port} (Vert.x shares the port among them) answering {@code body}. */
  public static Future<String> deploy(Vertx vertx, int port, int instances, Buffer body) {
    return vertx.deployVerticle(() -> new CeilingServer(port, body), new DeploymentOptions().setInstances(instances));
  }

  /** {@code PORT [INSTANCES [BODY_FILE]]}: without a file, the small fixed body. */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Buffer body = args.length > 2 ? Buffer.buffer(Files.readAllBytes(Path.of(args[2]))) : SMALL_BODY;
    deploy(Vertx.vertx(), port, instances, body).await(30, TimeUnit.SECONDS);
    System.out.println("ceiling server on port " + port + " with " + instances + " instances, " + body.length()
        + "-byte body");
  }
}
