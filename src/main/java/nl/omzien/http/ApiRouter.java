package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import nl.omzien.auth.Authenticator;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;

/**
 * Builds the router from {@code openapi/omzien.yaml}. For every operation the chain is: authenticate (when the
 * operation has a security requirement) -> role check (the operation's {@code x-roles}) -> validate the request
 * against the contract -> the endpoint. Authentication runs before validation, so an anonymous caller learns
 * nothing about the schema. Every operation must have an endpoint and every endpoint an operation, or start-up
 * fails: code and contract cannot drift apart silently.
 */
public final class ApiRouter {
  private static final String PRINCIPAL = "omzien.principal";

  private ApiRouter() {
  }

  /** The principal of an authenticated request. */
  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** The request as validated against the contract (parsed parameters and body). */
  public static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** A validated query parameter, if the caller sent it. */
  public static Optional<io.vertx.openapi.validation.RequestParameter> query(RoutingContext ctx, String name) {
    return Optional.ofNullable(validated(ctx).getQuery().get(name)).filter(p -> !p.isNull());
  }

  /** The page size ({@code limit}, default 20) and the decoded {@code cursor} of a paginated list operation. */
  public static Future<Cursor.Page> page(RoutingContext ctx) {
    int limit = query(ctx, "limit").map(p -> p.getInteger()).orElse(20);
    try {
      return Future.succeededFuture(new Cursor.Page(limit,
          Cursor.decode(query(ctx, "cursor").map(p -> p.getString()).orElse(null))));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The router for {@code contract}. Root chain: request log, security headers, slow-client deadlines, rate
   * limit per client IP, body handler; then per operation as described above, with the per-user rate limit right
   * after authentication.
   */
  public static Router create(Vertx vertx, OpenAPIContract contract, Authenticator authenticator,
                              int maxBodyBytes, List<Endpoint> endpoints, RateLimits rateLimits,
                              SlowClients slowClients) {
    Map<String, Endpoint> byOperation = endpoints.stream()
        .collect(Collectors.toMap(Endpoint::operationId, Function.identity()));
    checkBindings(contract, byOperation.keySet());

    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(RequestLog.INSTANCE);
    builder.rootHandler(SecurityHeaders.INSTANCE);
    builder.rootHandler(slowClients.deadlines());
    builder.rootHandler(rateLimits.perIp());
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(maxBodyBytes).setHandleFileUploads(false));
    RequestValidator validator = new CachingRequestValidator(vertx, contract);

    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation operation = route.getOperation();
      route.setDoValidation(false);
      route.setDoSecurity(false); // authentication is ours (two issuers), see authenticate()
      route.addHandler(ctx -> {
        RequestLog.route(ctx, operation.getOpenAPIPath());
        ctx.next();
      });
      if (requiresAuthentication(operation)) {
        route.addHandler(authenticate(authenticator));
        route.addHandler(rateLimits.perUser());
      }
      Set<Role> roles = roles(operation);
      if (!roles.isEmpty()) {
        route.addHandler(requireRole(roles));
      }
      route.addHandler(validate(validator, operation));
      route.addHandler(byOperation.get(operation.getOperationId()).handler());
    }

    Router router = builder.createRouter();
    router.route().failureHandler(Problems::handle);
    router.errorHandler(400, Problems.forStatus(400));
    router.errorHandler(404, Problems.forStatus(404));
    router.errorHandler(405, Problems.forStatus(405));
    router.errorHandler(413, Problems.forStatus(413));
    router.errorHandler(500, Problems.forStatus(500));
    return router;
  }

  private static void checkBindings(OpenAPIContract contract, Set<String> bound) {
    Set<String> inContract = contract.operations().stream()
        .map(Operation::getOperationId)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> unbound = new TreeSet<>(inContract);
    unbound.removeAll(bound);
    Set<String> unknown = new TreeSet<>(bound);
    unknown.removeAll(inContract);
    if (!unbound.isEmpty() || !unknown.isEmpty()) {
      throw new IllegalStateException("contract and code disagree: operations without endpoint " + unbound
          + ", endpoints without operation " + unknown);
    }
  }

  private static boolean requiresAuthentication(Operation operation) {
    // Operation.getSecurityRequirements() already falls back to the global requirement; "security: []" opts out.
    return operation.getSecurityRequirements().stream().anyMatch(requirement -> !requirement.isEmpty());
  }

  private static Set<Role> roles(Operation operation) {
    Object declared = operation.getExtensions().get("x-roles");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    if (declared instanceof JsonArray array) {
      for (Object value : array) {
        roles.add(Role.fromWire(String.valueOf(value)).orElseThrow(() -> new IllegalStateException(
            "unknown role '" + value + "' in x-roles of " + operation.getOperationId())));
      }
    }
    return roles;
  }

  private static Handler<RoutingContext> authenticate(Authenticator authenticator) {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.fail(new DomainException.Unauthenticated("A bearer token is required."));
        return;
      }
      authenticator.authenticate(header.substring(7).trim())
          .onSuccess(principal -> {
            ctx.put(PRINCIPAL, principal);
            ctx.next();
          })
          .onFailure(ctx::fail);
    };
  }

  private static Handler<RoutingContext> requireRole(Set<Role> roles) {
    return ctx -> {
      if (principal(ctx).hasAny(roles)) {
        ctx.next();
      } else {
        ctx.fail(new DomainException.Forbidden("This needs one of the roles " + roles.stream().map(Role::wire).sorted().toList() + "."));
      }
    };
  }

  /** The parameters and body to validate; a query with a broken percent-escape is the client's fault (400). */
  private static Future<ValidatableRequest> extract(RequestExtractor extractor, RoutingContext ctx,
                                                    Operation operation) {
    try {
      return extractor.extractValidatableRequest(ctx, operation);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new HttpException(400, "The query string could not be decoded.", e));
    }
  }

  private static Handler<RoutingContext> validate(RequestValidator validator, Operation operation) {
    RequestExtractor extractor = RequestExtractor.withBodyHandler();
    return ctx -> extract(extractor, ctx, operation)
        .compose(request -> validator.validate(request, operation.getOperationId()))
        .onSuccess(validated -> {
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }
}
