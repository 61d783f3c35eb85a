package nl.omzien.users;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import nl.omzien.auth.Principal;
import nl.omzien.errors.DomainException;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;

/** {@code /v1/me}: the signed-in person's own profile. */
public final class UsersApi {
  private final UserStore store;

  public UsersApi(UserStore store) {
    this.store = store;
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("getMe", this::getMe), new Endpoint("putMe", this::putMe));
  }

  private void getMe(RoutingContext ctx) {
    Principal principal = ApiRouter.principal(ctx);
    store.find(principal.userId())
        .compose(found -> found.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(new DomainException.NotFound("Profile (create it with PUT /v1/me)"))))
        .onSuccess(user -> Responses.json(ctx, 200, user.toJson()))
        .onFailure(ctx::fail);
  }

  private void putMe(RoutingContext ctx) {
    Principal principal = ApiRouter.principal(ctx);
    JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
    store.upsert(principal, body.getString("displayName").strip(), body.getString("language", "nl"),
            body.getString("phone"))
        .compose(stored -> stored.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(new DomainException.NotFound("Profile"))))
        .onSuccess(user -> Responses.json(ctx, 200, user.toJson()))
        .onFailure(ctx::fail);
  }
}
