package nl.omzien.reports;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;

/**
 * HTTP for the figures: JSON, CSV, a time series, the waiting list, the wijk shapes for the map, and the page
 * ({@code GET /figures}) that shows them. Thin handlers over {@link FiguresService}.
 */
public final class FiguresApi {
  private static final String PAGE = "/web/figures.html";
  private static final int DEFAULT_WAITING_LIMIT = 50;
  private static final SecureRandom NONCES = new SecureRandom();

  private final FiguresService service;
  private final String page;

  private FiguresApi(FiguresService service, String page) {
    this.service = service;
    this.page = page;
  }

  /** Reads the page from the jar off the event loop. */
  public static Future<FiguresApi> create(Vertx vertx, FiguresService service) {
    return vertx.executeBlocking(FiguresApi::readPage, false).map(page -> new FiguresApi(service, page));
  }

  private static String readPage() {
    try (InputStream in = FiguresApi.class.getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + PAGE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("getFigures", this::figures),
        new Endpoint("exportFigures", this::export),
        new Endpoint("getFigureSeries", this::series),
        new Endpoint("listWaitingRequests", this::waiting),
        new Endpoint("getWijkShapes", this::shapes),
        new Endpoint("getFiguresPage", this::page));
  }

  private void figures(RoutingContext ctx) {
    query(ctx)
        .compose(service::figures)
        .onSuccess(figures -> Responses.json(ctx, 200, figures))
        .onFailure(ctx::fail);
  }

  private void export(RoutingContext ctx) {
    query(ctx)
        .compose(q -> service.figures(q).map(figures -> {
          String name = "omzien-figures-" + q.from() + "-" + q.to() + ".csv";
          ctx.response().setStatusCode(200)
              .putHeader("Content-Type", "text/csv; charset=utf-8")
              .putHeader("Content-Disposition", "attachment; filename=" + name)
              .end(FiguresCsv.of(figures));
          return figures;
        }))
        .onFailure(ctx::fail);
  }

  private void series(RoutingContext ctx) {
    String interval = param(ctx, "interval").map(RequestParameter::getString).orElse("month");
    query(ctx)
        .compose(q -> service.series(q, interval))
        .onSuccess(series -> Responses.json(ctx, 200, series))
        .onFailure(ctx::fail);
  }

  private void waiting(RoutingContext ctx) {
    int limit = param(ctx, "limit").map(RequestParameter::getInteger).orElse(DEFAULT_WAITING_LIMIT);
    query(ctx)
        .compose(q -> service.waiting(q, limit))
        .onSuccess(items -> Responses.json(ctx, 200, items))
        .onFailure(ctx::fail);
  }

  private void shapes(RoutingContext ctx) {
    Responses.json(ctx, 200, service.shapes(ApiRouter.principal(ctx)));
  }

  /**
   * The page holds no data (it fetches figures with the viewer's token), so it is public. Its inline script and
   * style run only with this response's nonce; it may talk to this origin only.
   */
  private void page(RoutingContext ctx) {
    byte[] bytes = new byte[18];
    NONCES.nextBytes(bytes);
    String nonce = Base64.getEncoder().encodeToString(bytes);
    ctx.response().setStatusCode(200)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; "
            + "style-src 'nonce-" + nonce + "'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'")
        .end(page.replace("{{nonce}}", nonce));
  }

  private Future<FiguresQuery> query(RoutingContext ctx) {
    try {
      return Future.succeededFuture(service.query(ApiRouter.principal(ctx), new FiguresService.Filters(
          param(ctx, "from").map(RequestParameter::getString),
          param(ctx, "to").map(RequestParameter::getString),
          param(ctx, "kind").map(RequestParameter::getString),
          param(ctx, "wijk").map(RequestParameter::getString))));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Optional<RequestParameter> param(RoutingContext ctx, String name) {
    Map<String, RequestParameter> query = ApiRouter.validated(ctx).getQuery();
    return Optional.ofNullable(query.get(name)).filter(p -> !p.isNull());
  }
}
