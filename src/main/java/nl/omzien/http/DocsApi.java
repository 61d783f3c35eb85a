package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The contract as a product: {@code GET /openapi.yaml} serves the exact contract this server runs with, and
 * {@code GET /docs} renders it with Redoc, whose standalone bundle is vendored into the jar at build time (from
 * the pinned npm package, see pom.xml) and served from {@code /docs/redoc.standalone.js}: nothing is loaded
 * from a CDN. All three are read once at start-up; a missing one fails start-up.
 */
public final class DocsApi {
  /** The docs page may run our script and Redoc's worker (a blob: URL) and fetch the contract; nothing else. */
  static final String DOCS_CSP = "default-src 'none'; script-src 'self'; worker-src blob:; connect-src 'self'; "
      + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";
  private static final String PAGE = "docs/index.html";
  private static final String SCRIPT = "docs/redoc.standalone.js";
  private static final int SCRIPT_MAX_AGE_SECONDS = 3600;

  private final Buffer contract;
  private final Buffer page;
  private final Buffer script;

  private DocsApi(Buffer contract, Buffer page, Buffer script) {
    this.contract = contract;
    this.page = page;
    this.script = script;
  }

  /**
   * Reads the contract from {@code contractPath} (the working directory's copy, else the jar's, exactly as the
   * router does) and the page and script from the class path.
   */
  public static Future<DocsApi> load(Vertx vertx, String contractPath) {
    Future<Buffer> contract = read(vertx, contractPath);
    Future<Buffer> page = read(vertx, PAGE);
    Future<Buffer> script = read(vertx, SCRIPT);
    return Future.all(contract, page, script)
        .map(all -> new DocsApi(contract.result(), page.result(), script.result()));
  }

  private static Future<Buffer> read(Vertx vertx, String path) {
    return vertx.fileSystem().readFile(path)
        .recover(failure -> Future.failedFuture(new IllegalStateException("cannot serve the API docs: " + path
            + " is missing (built from src/test/contract by mvn package; needs npm)", failure)));
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("getOpenApiDocument", this::contract),
        new Endpoint("getApiDocs", this::page),
        new Endpoint("getApiDocsScript", this::script));
  }

  private void contract(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(contract);
  }

  private void page(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", DOCS_CSP)
        .end(page);
  }

  private void script(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=" + SCRIPT_MAX_AGE_SECONDS)
        .end(script);
  }
}
