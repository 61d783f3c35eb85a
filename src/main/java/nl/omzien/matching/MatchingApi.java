package nl.omzien.matching;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import nl.omzien.activities.ActivityJson;
import nl.omzien.activities.ActivityQuery;
import nl.omzien.activities.ActivityService;
import nl.omzien.activities.NearbyActivity;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.Distances;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Cursor;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Json;
import nl.omzien.http.Responses;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestService;

/**
 * HTTP for matching: volunteers' offers and tasks, the resident's view of (and veto on) the match, activity
 * suggestions for lonely residents, and the ambassador's queue with ranked candidates and manual actions.
 *
 * <p>Privacy: before a match a volunteer sees the kind of help, when, the buurt and a distance band - never a
 * name, address, phone, note or exact point. After the match both sides see first name and phone, the volunteer
 * also the address; once the task is completed plus {@link MatchConfig#contactGrace()}, that is gone again.
 */
public final class MatchingApi {
  /** A walk to a group activity: how far we look for one. */
  private static final double ACTIVITY_RADIUS_METERS = 1_500;

  private final MatchViews views;
  private final RequestService requests;
  private final Matcher matcher;
  private final AreaIndex areas;
  private final ActivityService activities;

  public MatchingApi(Pool pool, RequestService requests, Matcher matcher, AreaIndex areas,
                     ActivityService activities) {
    this.views = new MatchViews(pool);
    this.requests = requests;
    this.matcher = matcher;
    this.areas = areas;
    this.activities = activities;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("listMyOffers", this::listMyOffers),
        new Endpoint("getOffer", this::getOffer),
        new Endpoint("acceptOffer", this::acceptOffer),
        new Endpoint("declineOffer", this::declineOffer),
        new Endpoint("listMyTasks", this::listMyTasks),
        new Endpoint("completeTask", this::completeTask),
        new Endpoint("getMatch", this::getMatch),
        new Endpoint("declineMatch", this::declineMatch),
        new Endpoint("suggestActivities", this::suggestActivities),
        new Endpoint("listOccurrences", this::listOccurrences),
        new Endpoint("cancelOccurrence", this::cancelOccurrence),
        new Endpoint("getAmbassadorQueue", this::queue),
        new Endpoint("listCandidates", this::candidates),
        new Endpoint("assignVolunteer", this::assign),
        new Endpoint("referToBuurtteam", this::refer));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Volunteers

  private void listMyOffers(RoutingContext ctx) {
    String status = ApiRouter.query(ctx, "status").map(RequestParameter::getString).orElse(null);
    ApiRouter.page(ctx)
        .compose(page -> views.offers(ApiRouter.principal(ctx).userId(), status, page.after(), page.limit() + 1)
            .map(rows -> page.toJson(rows, this::offer,
                row -> new Cursor(row.getOffsetDateTime("created_at").toInstant(), row.getUUID("id")))))
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private void getOffer(RoutingContext ctx) {
    offerOf(ctx, pathId(ctx, "offerId"))
        .onSuccess(offer -> Responses.json(ctx, 200, offer))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> offerOf(RoutingContext ctx, UUID offerId) {
    return views.offer(ApiRouter.principal(ctx).userId(), offerId)
        .compose(row -> row.isEmpty()
            ? Future.failedFuture(new DomainException.NotFound("Offer"))
            : Future.succeededFuture(offer(row.get())));
  }

  private void acceptOffer(RoutingContext ctx) {
    UUID volunteer = ApiRouter.principal(ctx).userId();
    UUID offerId = pathId(ctx, "offerId");
    matcher.accept(volunteer, offerId)
        .compose(requestId -> taskOf(volunteer, requestId)
            // The request changed right after the accept committed (its resident cancelled it): not a 404 for an
            // offer that exists, but what the offer is now (409 offer-closed), as for any later accept.
            .recover(failure -> failure instanceof DomainException.NotFound
                ? matcher.whyNotAccepted(volunteer, offerId).compose(id -> taskOf(volunteer, id))
                : Future.failedFuture(failure)))
        .onSuccess(task -> Responses.json(ctx, 200, task))
        .onFailure(ctx::fail);
  }

  private void declineOffer(RoutingContext ctx) {
    UUID offerId = pathId(ctx, "offerId");
    String reason = body(ctx).map(b -> b.getString("reason")).map(String::strip).filter(r -> !r.isEmpty())
        .orElse(null);
    matcher.decline(ApiRouter.principal(ctx).userId(), offerId, reason)
        .compose(v -> offerOf(ctx, offerId))
        .onSuccess(offer -> Responses.json(ctx, 200, offer))
        .onFailure(ctx::fail);
  }

  private void listMyTasks(RoutingContext ctx) {
    ApiRouter.page(ctx)
        .compose(page -> views.tasks(ApiRouter.principal(ctx).userId(), page.after(), page.limit() + 1)
            .map(rows -> page.toJson(rows, this::task,
                row -> new Cursor(row.getOffsetDateTime("matched_at").toInstant(), row.getUUID("id")))))
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> taskOf(UUID volunteer, UUID requestId) {
    return views.task(volunteer, requestId)
        .compose(row -> row.isEmpty()
            ? Future.failedFuture(new DomainException.NotFound("Task"))
            : Future.succeededFuture(task(row.get())));
  }

  private void completeTask(RoutingContext ctx) {
    UUID volunteer = ApiRouter.principal(ctx).userId();
    UUID requestId = pathId(ctx, "requestId");
    double hours = body(ctx).orElseThrow().getDouble("hoursSpent");
    matcher.complete(volunteer, requestId, hours)
        .compose(v -> taskOf(volunteer, requestId))
        .onSuccess(task -> Responses.json(ctx, 200, task))
        .onFailure(ctx::fail);
  }

  private void listOccurrences(RoutingContext ctx) {
    requests.getAsParticipant(ApiRouter.principal(ctx), pathId(ctx, "requestId"))
        .compose(request -> matcher.occurrences(request.id()))
        .onSuccess(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(row -> items.add(new JsonObject()
              .put("startsAt", Json.dateTime(row.getOffsetDateTime("starts_at")))
              .put("endsAt", Json.dateTime(row.getOffsetDateTime("ends_at")))
              .put("status", row.getString("status"))
              .put("volunteerFirstName", firstName(row.getString("display_name")))
              .put("replacementRequestId", row.getUUID("replacement_id") == null ? null
                  : row.getUUID("replacement_id").toString())));
          Responses.json(ctx, 200, new JsonObject().put("items", items));
        })
        .onFailure(ctx::fail);
  }

  private void cancelOccurrence(RoutingContext ctx) {
    java.time.LocalDate date = java.time.LocalDate.parse(
        ApiRouter.validated(ctx).getPathParameters().get("date").getString());
    String reason = body(ctx).orElseThrow().getString("reason").strip();
    matcher.cancelOccurrence(ApiRouter.principal(ctx).userId(), pathId(ctx, "requestId"), date, reason)
        .onSuccess(replacement -> Responses.json(ctx, 200,
            new JsonObject().put("replacementRequestId", replacement.toString())))
        .onFailure(ctx::fail);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Residents (and the ambassadors of their wijk)

  private void getMatch(RoutingContext ctx) {
    requests.get(ApiRouter.principal(ctx), pathId(ctx, "requestId"))
        .compose(request -> views.match(request.id()).compose(row -> row.isEmpty()
            ? Future.failedFuture(new DomainException.NotFound("Match"))
            : Future.succeededFuture(match(request, row.get()))))
        .onSuccess(match -> Responses.json(ctx, 200, match))
        .onFailure(ctx::fail);
  }

  private void declineMatch(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    String reason = body(ctx).orElseThrow().getString("reason").strip();
    requests.get(caller, pathId(ctx, "requestId"))
        .compose(request -> matcher.declineMatch(caller.userId(), request.id(), reason)
            .compose(v -> requests.get(caller, request.id())))
        .onSuccess(request -> Responses.json(ctx, 200, request.toJson()))
        .onFailure(ctx::fail);
  }

  /**
   * Group activities that fit a companionship request ("groepsgericht, tenzij"): within walking distance of the
   * resident's home, on the weekday and within the hours asked for, wheelchair-accessible when the resident
   * uses one; nearest first.
   */
  private void suggestActivities(RoutingContext ctx) {
    requests.get(ApiRouter.principal(ctx), pathId(ctx, "requestId"))
        .compose(request -> request.kind().equals("companionship")
            ? Future.succeededFuture(request)
            : Future.failedFuture(new DomainException.Conflict("not-companionship",
                "Activities are suggested for companionship requests only.")))
        .onSuccess(request -> {
          List<NearbyActivity> found = new ArrayList<>();
          for (ActivityQuery query : activityQueries(request)) {
            for (NearbyActivity activity : activities.index().near(query, Instant.now())) {
              if (found.stream().noneMatch(f -> f.activity().id().equals(activity.activity().id()))) {
                found.add(activity);
              }
            }
          }
          found.sort((a, b) -> Double.compare(a.distanceMeters(), b.distanceMeters()));
          JsonArray items = new JsonArray();
          found.stream().limit(20).forEach(a -> items.add(ActivityJson.nearby(a)));
          Responses.json(ctx, 200, new JsonObject().put("items", items));
        })
        .onFailure(ctx::fail);
  }

  private static List<ActivityQuery> activityQueries(HelpRequest request) {
    JsonObject recurrence = request.details().getJsonObject("recurrence");
    List<ActivityQuery> queries = new ArrayList<>();
    if (recurrence != null) {
      queries.add(new ActivityQuery(request.lat(), request.lon(), ACTIVITY_RADIUS_METERS,
          Optional.of(DayOfWeek.of(recurrence.getInteger("dayOfWeek"))),
          Optional.of(LocalTime.parse(recurrence.getString("startTime"))),
          Optional.of(LocalTime.parse(recurrence.getString("endTime"))), Set.of(), false, false));
      return queries;
    }
    for (HelpRequest.Window window : request.windows()) {
      ZonedDateTime start = window.start().atZoneSameInstant(WeekMinutes.ZONE);
      ZonedDateTime end = window.end().atZoneSameInstant(WeekMinutes.ZONE);
      boolean sameDay = start.toLocalDate().equals(end.toLocalDate());
      queries.add(new ActivityQuery(request.lat(), request.lon(), ACTIVITY_RADIUS_METERS,
          Optional.of(start.getDayOfWeek()), Optional.of(start.toLocalTime()),
          sameDay ? Optional.of(end.toLocalTime()) : Optional.empty(), Set.of(), false, false));
    }
    return queries;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Ambassadors

  private void queue(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    Optional<String> wijk = ApiRouter.query(ctx, "wijk").map(RequestParameter::getString);
    List<String> wijken;
    if (wijk.isPresent()) {
      if (!caller.has(Role.ADMIN) && !caller.wijken().contains(wijk.get())) {
        ctx.fail(new DomainException.NotFound("Wijk"));
        return;
      }
      wijken = List.of(wijk.get());
    } else {
      wijken = caller.has(Role.ADMIN) ? areas.wijken().stream().map(AreaIndex.Wijk::code).toList()
          : List.copyOf(caller.wijken());
    }
    ApiRouter.page(ctx)
        .compose(page -> views.queue(wijken, page.after(), page.limit() + 1)
            .map(rows -> page.toJson(rows, this::queueItem,
                row -> new Cursor(row.getOffsetDateTime("created_at").toInstant(), row.getUUID("id")))))
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private JsonObject queueItem(Row row) {
    String buurt = row.getString("buurt_code");
    return new JsonObject()
        .put("requestId", row.getUUID("id").toString())
        .put("kind", row.getString("kind"))
        .put("status", row.getString("status"))
        .put("urgency", row.getString("urgency"))
        .put("wijk", row.getString("wijk_code"))
        .put("buurt", Json.areaRef(buurt, areas.buurt(buurt).map(AreaIndex.Buurt::name).orElse(null)))
        .put("createdAt", Json.dateTime(row.getOffsetDateTime("created_at")))
        .put("firstStartsAt", Json.dateTime(row.getOffsetDateTime("first_starts_at")))
        .put("waitingMinutes", Math.max(0, row.getInteger("waiting_minutes")))
        .put("round", row.getInteger("round"))
        .put("pendingOffers", row.getInteger("pending_offers"));
  }

  /** The request as an ambassador (of its wijk) or admin may handle it; others get 404. */
  private Future<HelpRequest> handled(Principal caller, UUID requestId) {
    return requests.get(caller, requestId).compose(request -> caller.has(Role.ADMIN)
        || (request.wijkCode() != null && caller.wijken().contains(request.wijkCode()))
        ? Future.succeededFuture(request)
        : Future.failedFuture(new DomainException.NotFound("Request")));
  }

  private void candidates(RoutingContext ctx) {
    handled(ApiRouter.principal(ctx), pathId(ctx, "requestId"))
        .compose(request -> {
          double radius = matcher.config().radiusMeters(request.kind(),
              Math.max(1, Math.min(request.round(), matcher.config().rounds())));
          return matcher.rank(request, radius, 20).compose(ranked -> views.requestOffers(request.id())
              .compose(offers -> {
                List<UUID> ids = new ArrayList<>(ranked.stream().map(c -> c.card().id()).toList());
                return views.names(ids).map(names -> candidatesJson(request, radius, ranked, offers, names));
              }));
        })
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private JsonObject candidatesJson(HelpRequest request, double radius, List<Matcher.Candidate> ranked,
                                    List<Row> offers, Map<UUID, String> names) {
    JsonArray candidates = new JsonArray();
    for (Matcher.Candidate c : ranked) {
      String blocked = c.dynamics().excluded() ? "declined_by_resident"
          : c.dynamics().offered() ? "already_offered"
          : c.dynamics().weekTasks() >= c.card().weeklyCap() ? "weekly_cap" : null;
      candidates.add(new JsonObject()
          .put("volunteerId", c.card().id().toString())
          .put("firstName", firstName(names.get(c.card().id())))
          .put("distanceMeters", c.score().distanceMeters())
          .put("tasksThisWeek", c.dynamics().weekTasks())
          .put("weeklyCap", c.card().weeklyCap())
          .put("knownFace", c.dynamics().knownFace())
          .put("blockedBy", blocked)
          .put("score", c.score().toJson(matcher.config())));
    }
    JsonArray offered = new JsonArray();
    for (Row o : offers) {
      offered.add(new JsonObject()
          .put("offerId", o.getUUID("id").toString())
          .put("volunteerId", o.getUUID("volunteer_id").toString())
          .put("firstName", firstName(o.getString("display_name")))
          .put("round", o.getInteger("round"))
          .put("status", o.getString("status"))
          .put("createdAt", Json.dateTime(o.getOffsetDateTime("created_at")))
          .put("respondedAt", o.getOffsetDateTime("responded_at") == null ? null
              : Json.dateTime(o.getOffsetDateTime("responded_at")))
          .put("declineReason", o.getString("decline_reason"))
          .put("score", (JsonObject) o.getValue("breakdown")));
    }
    return new JsonObject()
        .put("requestId", request.id().toString())
        .put("radiusMeters", (int) radius)
        .put("candidates", candidates)
        .put("offers", offered);
  }

  private void assign(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    JsonObject body = body(ctx).orElseThrow();
    UUID volunteer = UUID.fromString(body.getString("volunteerId"));
    String reason = body.getString("reason").strip();
    handled(caller, pathId(ctx, "requestId"))
        .compose(request -> matcher.assign(caller.userId(), request.id(), volunteer, reason)
            .compose(v -> requests.get(caller, request.id())))
        .onSuccess(request -> Responses.json(ctx, 200, request.toJson()))
        .onFailure(ctx::fail);
  }

  private void refer(RoutingContext ctx) {
    Principal caller = ApiRouter.principal(ctx);
    String reason = body(ctx).orElseThrow().getString("reason").strip();
    handled(caller, pathId(ctx, "requestId"))
        .compose(request -> matcher.refer(caller.userId(), request.id(), reason)
            .compose(v -> requests.get(caller, request.id())))
        .onSuccess(request -> Responses.json(ctx, 200, request.toJson()))
        .onFailure(ctx::fail);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Shapes

  private JsonObject offer(Row row) {
    JsonObject request = new JsonObject()
        .put("id", row.getUUID("request_id").toString())
        .put("kind", row.getString("kind"))
        .put("urgency", row.getString("urgency"))
        .put("status", row.getString("request_status"))
        .put("timeWindows", MatchViews.windows(row))
        .put("area", area(row))
        .put("distanceBand", distanceBand(row.getInteger("distance_m")))
        .put("needs", needs(row.getString("kind"), (JsonObject) row.getValue("details"), row));
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("status", row.getString("status"))
        .put("round", row.getInteger("round"))
        .put("createdAt", Json.dateTime(row.getOffsetDateTime("created_at")))
        .put("respondedAt", row.getOffsetDateTime("responded_at") == null ? null
            : Json.dateTime(row.getOffsetDateTime("responded_at")))
        .put("declineReason", row.getString("decline_reason"))
        .put("request", request);
  }

  private JsonObject task(Row row) {
    String kind = row.getString("kind");
    JsonObject details = (JsonObject) row.getValue("details");
    boolean visible = contactVisible(row.getString("status"), row.getOffsetDateTime("completed_at"));
    JsonObject contact = null;
    if (visible) {
      String address = kind.equals("transport")
          ? details.getJsonObject("pickup").getString("address")
          : row.getString("home_address");
      contact = new JsonObject()
          .put("firstName", firstName(row.getString("display_name")))
          .put("phone", row.getString("phone"))
          .put("address", address)
          .put("location", new JsonObject().put("lat", row.getDouble("lat")).put("lon", row.getDouble("lon")));
    }
    Double hours = row.getDouble("hours_spent");
    return new JsonObject()
        .put("requestId", row.getUUID("id").toString())
        .put("kind", kind)
        .put("urgency", row.getString("urgency"))
        .put("status", row.getString("status"))
        .put("timeWindows", MatchViews.windows(row))
        .put("area", area(row))
        .put("needs", needs(kind, details, row))
        .put("contact", contact)
        .put("details", visible ? new JsonObject().put(kind, details) : null)
        .put("note", visible ? row.getString("note") : null)
        .put("matchedAt", Json.dateTime(row.getOffsetDateTime("matched_at")))
        .put("completedAt", row.getOffsetDateTime("completed_at") == null ? null
            : Json.dateTime(row.getOffsetDateTime("completed_at")))
        .put("hoursSpent", hours);
  }

  private JsonObject match(HelpRequest request, Row row) {
    boolean visible = contactVisible(row.getString("status"), row.getOffsetDateTime("completed_at"));
    String[] transport = row.getArrayOfStrings("transport");
    return new JsonObject()
        .put("requestId", request.id().toString())
        .put("status", row.getString("status"))
        .put("matchedAt", Json.dateTime(row.getOffsetDateTime("matched_at")))
        .put("completedAt", row.getOffsetDateTime("completed_at") == null ? null
            : Json.dateTime(row.getOffsetDateTime("completed_at")))
        .put("volunteer", visible ? new JsonObject()
            .put("firstName", firstName(row.getString("display_name")))
            .put("phone", row.getString("phone"))
            .put("transport", new JsonArray(transport == null ? List.of() : List.of(transport))) : null);
  }

  private boolean contactVisible(String status, OffsetDateTime completedAt) {
    return status.equals("matched") || (status.equals("completed") && completedAt != null
        && completedAt.toInstant().plus(matcher.config().contactGrace()).isAfter(Instant.now()));
  }

  private JsonObject area(Row row) {
    String wijk = row.getString("wijk_code");
    String buurt = row.getString("buurt_code");
    return new JsonObject()
        .put("wijk", Json.areaRef(wijk, areas.wijk(wijk).map(AreaIndex.Wijk::name).orElse(null)))
        .put("buurt", Json.areaRef(buurt, areas.buurt(buurt).map(AreaIndex.Buurt::name).orElse(null)));
  }

  /** What a volunteer may know before the match: what kind of help, no health details, names or addresses. */
  private JsonObject needs(String kind, JsonObject details, Row row) {
    JsonObject needs = new JsonObject();
    switch (kind) {
      case "transport" -> {
        JsonObject destination = details.getJsonObject("destination").getJsonObject("location");
        double tripMeters = Distances.haversineMeters(row.getDouble("lat"), row.getDouble("lon"),
            destination.getDouble("lat"), destination.getDouble("lon"));
        Optional<AreaIndex.Area> to = areas.buurtAt(destination.getDouble("lat"), destination.getDouble("lon"));
        needs.put("transport", new JsonObject()
            .put("appointmentAt", Json.dateTime(OffsetDateTime.parse(details.getString("appointmentAt"))))
            .put("returnTrip", details.getBoolean("returnTrip", false))
            .put("stayDuringAppointment", details.getBoolean("stayDuringAppointment", false))
            .put("mobility", details.getJsonArray("mobility", new JsonArray()))
            .put("destinationArea", to.map(a -> Json.areaRef(a.buurtCode(),
                areas.buurt(a.buurtCode()).map(AreaIndex.Buurt::name).orElse(null))).orElse(null))
            .put("tripKm", Math.round(tripMeters / 100.0) / 10.0));
      }
      case "respite" -> needs.put("respite", new JsonObject()
          .put("durationMinutes", details.getInteger("durationMinutes"))
          .put("requiredExperience", details.getJsonArray("requiredExperience", new JsonArray())));
      default -> needs.put("companionship", new JsonObject()
          .put("activity", details.getString("activity"))
          .put("recurrence", details.getJsonObject("recurrence"))
          .put("languages", details.getJsonArray("languages", new JsonArray()))
          .put("interests", details.getJsonArray("interests", new JsonArray())));
    }
    return needs;
  }

  static String distanceBand(int meters) {
    if (meters < 1_000) {
      return "under_1km";
    }
    if (meters < 3_000) {
      return "1_to_3km";
    }
    if (meters < 5_000) {
      return "3_to_5km";
    }
    return meters < 10_000 ? "5_to_10km" : "over_10km";
  }

  /** The first word of a display name (never the full name); null when there is none. */
  static String firstName(String displayName) {
    if (displayName == null || displayName.isBlank()) {
      return null;
    }
    return displayName.strip().split("\\s+", 2)[0];
  }

  // ---------------------------------------------------------------------------------------------------------
  // Plumbing

  private static Optional<JsonObject> body(RoutingContext ctx) {
    RequestParameter body = ApiRouter.validated(ctx).getBody();
    return body == null || body.isNull() ? Optional.empty() : Optional.ofNullable(body.getJsonObject());
  }

  private static UUID pathId(RoutingContext ctx, String name) {
    return UUID.fromString(ApiRouter.validated(ctx).getPathParameters().get(name).getString());
  }

}
