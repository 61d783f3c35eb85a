package nl.omzien.activities;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Clock;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import nl.omzien.errors.DomainException;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Idempotency;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;

/**
 * HTTP handlers of the {@code activities} tag: read the validated request, call {@link ActivityService}, write
 * JSON. Roles are enforced by the contract's {@code x-roles}; organisation membership by the service.
 */
public final class ActivitiesApi {
  static final int DEFAULT_RADIUS_METERS = 1500;
  static final int DEFAULT_LIMIT = 20;

  /** Encoded nearby items kept: a few times the active activities of a city. */
  private static final int NEARBY_ENCODED_LIMIT = 50_000;

  private final ActivityService service;
  private final Clock clock;
  private final NearbyJson nearbyJson = new NearbyJson(NEARBY_ENCODED_LIMIT);

  public ActivitiesApi(ActivityService service, Clock clock) {
    this.service = service;
    this.clock = clock;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("createOrganisation", this::createOrganisation),
        new Endpoint("listOrganisations", this::listOrganisations),
        new Endpoint("addOrganisationMember", this::addOrganisationMember),
        new Endpoint("removeOrganisationMember", this::removeOrganisationMember),
        new Endpoint("createVenue", this::createVenue),
        new Endpoint("listVenues", this::listVenues),
        new Endpoint("createActivity", this::createActivity),
        new Endpoint("listOrganisationActivities", this::listOrganisationActivities),
        new Endpoint("updateActivity", this::updateActivity),
        new Endpoint("cancelActivity", this::cancelActivity),
        new Endpoint("listNearbyActivities", this::listNearbyActivities),
        new Endpoint("getActivity", this::getActivity),
        new Endpoint("createSignup", this::createSignup),
        new Endpoint("cancelSignup", this::cancelSignup),
        new Endpoint("listMySignups", this::listMySignups));
  }

  private void createOrganisation(RoutingContext ctx) {
    JsonObject body = body(ctx);
    service.createOrganisation(ApiRouter.principal(ctx), body.getString("name").strip(), body.getString("kind"),
            Idempotency.key(ctx))
        .onSuccess(created -> Responses.json(ctx, created.created() ? 201 : 200,
            ActivityJson.organisation(created.value())))
        .onFailure(ctx::fail);
  }

  private void listOrganisations(RoutingContext ctx) {
    service.organisations(ApiRouter.principal(ctx))
        .onSuccess(list -> Responses.json(ctx, 200, ActivityJson.items(list, ActivityJson::organisation)))
        .onFailure(ctx::fail);
  }

  private void addOrganisationMember(RoutingContext ctx) {
    service.addMember(pathId(ctx, "organisationId"), pathId(ctx, "userId"))
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void removeOrganisationMember(RoutingContext ctx) {
    service.removeMember(pathId(ctx, "organisationId"), pathId(ctx, "userId"))
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void createVenue(RoutingContext ctx) {
    service.createVenue(ApiRouter.principal(ctx), pathId(ctx, "organisationId"), ActivityJson.venue(body(ctx)),
            Idempotency.key(ctx))
        .onSuccess(created -> Responses.json(ctx, created.created() ? 201 : 200, ActivityJson.venue(created.value())))
        .onFailure(ctx::fail);
  }

  private void listVenues(RoutingContext ctx) {
    service.venues(ApiRouter.principal(ctx), pathId(ctx, "organisationId"))
        .onSuccess(list -> Responses.json(ctx, 200, ActivityJson.items(list, ActivityJson::venue)))
        .onFailure(ctx::fail);
  }

  private void createActivity(RoutingContext ctx) {
    service.createActivity(ApiRouter.principal(ctx), pathId(ctx, "organisationId"), ActivityJson.draft(body(ctx)),
            Idempotency.key(ctx))
        .onSuccess(created -> Responses.json(ctx, created.created() ? 201 : 200,
            ActivityJson.activity(created.value(), clock.instant())))
        .onFailure(ctx::fail);
  }

  private void listOrganisationActivities(RoutingContext ctx) {
    service.activities(ApiRouter.principal(ctx), pathId(ctx, "organisationId"))
        .onSuccess(list -> Responses.json(ctx, 200,
            ActivityJson.items(list, activity -> ActivityJson.activity(activity, clock.instant()))))
        .onFailure(ctx::fail);
  }

  private void updateActivity(RoutingContext ctx) {
    service.updateActivity(ApiRouter.principal(ctx), pathId(ctx, "organisationId"), pathId(ctx, "activityId"),
            ActivityJson.draft(body(ctx)))
        .onSuccess(activity -> Responses.json(ctx, 200, ActivityJson.activity(activity, clock.instant())))
        .onFailure(ctx::fail);
  }

  private void cancelActivity(RoutingContext ctx) {
    service.cancelActivity(ApiRouter.principal(ctx), pathId(ctx, "organisationId"), pathId(ctx, "activityId"))
        .onSuccess(activity -> Responses.json(ctx, 200, ActivityJson.activity(activity, clock.instant())))
        .onFailure(ctx::fail);
  }

  private void listNearbyActivities(RoutingContext ctx) {
    Map<String, RequestParameter> query = ApiRouter.validated(ctx).getQuery();
    ActivityQuery activityQuery = nearbyQuery(query);
    int limit = param(query, "limit").map(RequestParameter::getInteger).orElse(DEFAULT_LIMIT);
    service.nearby(activityQuery, param(query, "cursor").map(RequestParameter::getString), limit)
        .onSuccess(page -> Responses.json(ctx, 200, nearbyJson.page(page.items(), page.nextCursor())))
        .onFailure(ctx::fail);
  }

  private static ActivityQuery nearbyQuery(Map<String, RequestParameter> query) {
    Optional<LocalTime> from = param(query, "timeFrom").map(p -> LocalTime.parse(p.getString()));
    Optional<LocalTime> to = param(query, "timeTo").map(p -> LocalTime.parse(p.getString()));
    if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
      throw new DomainException.Invalid("timeTo", "must be after timeFrom");
    }
    return new ActivityQuery(
        param(query, "lat").orElseThrow().getDouble(),
        param(query, "lon").orElseThrow().getDouble(),
        param(query, "radius").map(RequestParameter::getInteger).orElse(DEFAULT_RADIUS_METERS),
        param(query, "dayOfWeek").map(p -> ActivityJson.dayOfWeek(p.getString())),
        from,
        to,
        param(query, "category").map(p -> Set.of(Category.parse(p.getString()))).orElse(Set.of()),
        param(query, "accessibleOnly").map(RequestParameter::getBoolean).orElse(false),
        param(query, "hearingLoopOnly").map(RequestParameter::getBoolean).orElse(false));
  }

  private void getActivity(RoutingContext ctx) {
    service.activity(pathId(ctx, "activityId"))
        .onSuccess(activity -> Responses.json(ctx, 200, ActivityJson.activity(activity, clock.instant())))
        .onFailure(ctx::fail);
  }

  private void createSignup(RoutingContext ctx) {
    Optional<String> date = Optional.ofNullable(body(ctx).getString("date"));
    service.signUp(ApiRouter.principal(ctx), pathId(ctx, "activityId"),
            date.map(text -> ActivityJson.date(text, "/date")))
        .onSuccess(created -> Responses.json(ctx, created.created() ? 201 : 200, ActivityJson.signup(created.value())))
        .onFailure(ctx::fail);
  }

  private void cancelSignup(RoutingContext ctx) {
    service.cancelSignup(ApiRouter.principal(ctx), pathId(ctx, "signupId"))
        .onSuccess(signup -> Responses.json(ctx, 200, ActivityJson.signup(signup)))
        .onFailure(ctx::fail);
  }

  private void listMySignups(RoutingContext ctx) {
    service.signups(ApiRouter.principal(ctx))
        .onSuccess(list -> Responses.json(ctx, 200, ActivityJson.items(list, ActivityJson::signup)))
        .onFailure(ctx::fail);
  }

  // --- reading the validated request -------------------------------------------------------------------------

  private static JsonObject body(RoutingContext ctx) {
    return ApiRouter.validated(ctx).getBody().getJsonObject();
  }

  private static UUID pathId(RoutingContext ctx, String name) {
    return UUID.fromString(ApiRouter.validated(ctx).getPathParameters().get(name).getString());
  }

  private static Optional<RequestParameter> param(Map<String, RequestParameter> parameters, String name) {
    return Optional.ofNullable(parameters.get(name)).filter(p -> !p.isNull() && !p.isEmpty());
  }

}
