package nl.omzien.requests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Idempotency;
import nl.omzien.http.Cursor;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;

/** HTTP for hulpvragen: thin handlers over {@link RequestService}. */
public final class RequestsApi {
  private final RequestService service;

  public RequestsApi(RequestService service) {
    this.service = service;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("createHelpRequest", this::create),
        new Endpoint("listMyHelpRequests", this::listMine),
        new Endpoint("getHelpRequest", this::get),
        new Endpoint("updateHelpRequest", this::update),
        new Endpoint("cancelHelpRequest", this::cancel),
        new Endpoint("getHelpRequestHistory", this::history));
  }

  private void create(RoutingContext ctx) {
    ValidatedRequest request = ApiRouter.validated(ctx);
    Optional<String> key = Idempotency.key(ctx);
    service.create(ApiRouter.principal(ctx), request.getBody().getJsonObject(), key)
        .onSuccess(created -> {
          if (created.isNew()) {
            ctx.response().putHeader("Location", "/v1/requests/" + created.request().id());
          }
          Responses.json(ctx, created.isNew() ? 201 : 200, created.request().toJson());
        })
        .onFailure(ctx::fail);
  }

  private void listMine(RoutingContext ctx) {
    Optional<RequestStatus> status = ApiRouter.query(ctx, "status").map(p -> RequestStatus.fromWire(p.getString()));
    ApiRouter.page(ctx)
        .compose(page -> service.listMine(ApiRouter.principal(ctx), status, page.after(), page.limit() + 1)
            .map(rows -> page.toJson(rows, HelpRequest::toJson,
                last -> new Cursor(last.createdAt().toInstant(), last.id()))))
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    service.get(ApiRouter.principal(ctx), requestId(ctx))
        .onSuccess(found -> Responses.json(ctx, 200, found.toJson()))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    service.update(ApiRouter.principal(ctx), requestId(ctx), ApiRouter.validated(ctx).getBody().getJsonObject())
        .onSuccess(updated -> Responses.json(ctx, 200, updated.toJson()))
        .onFailure(ctx::fail);
  }

  private void cancel(RoutingContext ctx) {
    String reason = ApiRouter.validated(ctx).getBody().getJsonObject().getString("reason").strip();
    service.cancel(ApiRouter.principal(ctx), requestId(ctx), reason)
        .onSuccess(cancelled -> Responses.json(ctx, 200, cancelled.toJson()))
        .onFailure(ctx::fail);
  }

  private void history(RoutingContext ctx) {
    service.history(ApiRouter.principal(ctx), requestId(ctx))
        .onSuccess(changes -> {
          JsonArray items = new JsonArray();
          changes.forEach(c -> items.add(c.toJson()));
          Responses.json(ctx, 200, new JsonObject().put("items", items));
        })
        .onFailure(ctx::fail);
  }

  private static UUID requestId(RoutingContext ctx) {
    return UUID.fromString(ApiRouter.validated(ctx).getPathParameters().get("requestId").getString());
  }
}
