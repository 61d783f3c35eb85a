package nl.omzien.feedback;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Json;
import nl.omzien.http.Responses;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestService;
import nl.omzien.requests.RequestStatus;

/**
 * Private feedback after the help: each side of a completed request (the resident or one of their carers as
 * {@code resident}; the matched volunteer as {@code volunteer}) rates it once, 1-5 with an optional comment.
 * Feedback is a record, not a conversation: a second one for the same side is 409 {@code feedback-exists} (whoever
 * wrote first, resident or carer). Only the ambassadors of the request's wijk and admins read it; never the other
 * party, never public.
 */
public final class FeedbackApi {
  private static final String INSERT = """
      insert into feedback (request_id, role, author_id, rating, comment) values ($1, $2, $3, $4, $5)
      on conflict (request_id, role) do nothing
      returning role, rating, comment, at
      """;
  private static final String LIST = """
      select role, rating, comment, at from feedback where request_id = $1 order by at, role
      """;

  private final Pool pool;
  private final RequestService requests;

  public FeedbackApi(Pool pool, RequestService requests) {
    this.pool = pool;
    this.requests = requests;
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("giveFeedback", this::give), new Endpoint("listFeedback", this::list));
  }

  private void give(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
    String comment = body.getString("comment") == null || body.getString("comment").isBlank() ? null
        : body.getString("comment").strip();
    requests.getAsParticipant(caller, requestId(ctx))
        .compose(request -> side(caller, request).compose(role -> request.status() == RequestStatus.COMPLETED
            ? pool.preparedQuery(INSERT)
                .execute(Tuple.of(request.id(), role, caller.userId(), body.getInteger("rating").shortValue(), comment))
            : Future.failedFuture(new DomainException.Conflict("not-completed",
                "Feedback is given once the help took place; this request is " + request.status().wire() + "."))))
        .compose(rows -> rows.size() == 1
            ? Future.succeededFuture(toJson(rows.iterator().next()))
            : Future.failedFuture(new DomainException.Conflict("feedback-exists",
                "Feedback for this side of the request was already given.")))
        .onSuccess(feedback -> Responses.json(ctx, 201, feedback))
        .onFailure(ctx::fail);
  }

  /** Which side the caller gives feedback for; someone who is not a party gets "not found". */
  private Future<String> side(Principal caller, HelpRequest request) {
    Future<Boolean> resident = caller.has(Role.RESIDENT)
        ? requests.speaksFor(caller, request)
        : Future.succeededFuture(false);
    return resident.compose(speaks -> {
      if (speaks) {
        return Future.succeededFuture("resident");
      }
      if (caller.has(Role.VOLUNTEER) && caller.userId().equals(request.volunteerId())) {
        return Future.succeededFuture("volunteer");
      }
      return Future.failedFuture(new DomainException.NotFound("Request"));
    });
  }

  private void list(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    requests.get(caller, requestId(ctx))
        .compose(request -> caller.has(Role.ADMIN)
            || (caller.has(Role.AMBASSADOR) && request.wijkCode() != null && caller.wijken().contains(request.wijkCode()))
            ? pool.preparedQuery(LIST).execute(Tuple.of(request.id()))
            // Its resident (who may also be an ambassador elsewhere) does not read the other side's feedback.
            : Future.failedFuture(new DomainException.NotFound("Request")))
        .onSuccess(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(row -> items.add(toJson(row)));
          Responses.json(ctx, 200, new JsonObject().put("requestId", requestId(ctx).toString()).put("items", items));
        })
        .onFailure(ctx::fail);
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("role", row.getString("role"))
        .put("rating", (int) row.getShort("rating"))
        .put("comment", row.getString("comment"))
        .put("givenAt", Json.dateTime(row.getOffsetDateTime("at")));
  }

  private static UUID requestId(RoutingContext ctx) {
    return UUID.fromString(ApiRouter.validated(ctx).getPathParameters().get("requestId").getString());
  }
}
