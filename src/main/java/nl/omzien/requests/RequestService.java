package nl.omzien.requests;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;
import nl.omzien.errors.DomainException.FieldError;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Cursor;
import nl.omzien.matching.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hulpvragen: creating them (for oneself, or by an ambassador for a resident of their wijk with recorded
 * consent), reading them with object-level authorisation, and moving them through their lifecycle.
 */
public final class RequestService {
  private static final List<String> KINDS = List.of("transport", "companionship", "respite");
  private static final Duration MAX_AHEAD = Duration.ofDays(366);

  private static final Logger LOG = LoggerFactory.getLogger(RequestService.class);

  private final RequestStore store;
  private final AreaIndex areas;
  private final Clock clock;
  private final Matcher matcher;

  public RequestService(RequestStore store, AreaIndex areas, Clock clock, Matcher matcher) {
    this.store = store;
    this.areas = areas;
    this.clock = clock;
    this.matcher = matcher;
  }

  /** A created (or, for a repeated Idempotency-Key, earlier) request. */
  public record Created(HelpRequest request, boolean isNew) {
  }

  /** Creates a request from a body that already passed the contract. */
  public Future<Created> create(Principal caller, JsonObject body, Optional<String> idempotencyKey) {
    if (idempotencyKey.isPresent()) {
      return store.findByIdempotencyKey(caller.userId(), idempotencyKey.get())
          .compose(earlier -> earlier.isPresent()
              ? Future.succeededFuture(new Created(earlier.get(), false))
              : createNew(caller, body, idempotencyKey));
    }
    return createNew(caller, body, idempotencyKey);
  }

  private Future<Created> createNew(Principal caller, JsonObject body, Optional<String> idempotencyKey) {
    String kind = body.getString("kind");
    List<HelpRequest.Window> windows;
    try {
      checkKindObjects(body, kind);
      windows = windows(body.getJsonArray("timeWindows"));
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    return resident(caller, body)
        .compose(resident -> location(resident, body, kind)
            .map(place -> new RequestStore.NewRequest(UUID.randomUUID(), resident, caller.userId(),
                resident.equals(caller.userId()) ? null : body.getJsonObject("consent"), kind,
                body.getString("urgency"), body.getJsonObject(kind), body.getString("note"), place.lat(), place.lon(),
                place.buurtCode(), place.wijkCode(), windows, idempotencyKey.orElse(null))))
        .compose(request -> store.insert(request)
            .compose(inserted -> inserted.isPresent()
                ? firstRound(request.id())
                    .compose(v -> store.find(request.id()))
                    .map(found -> new Created(found.orElseThrow(), true))
                // A concurrent retry with the same key won the insert: answer with its request.
                : store.findByIdempotencyKey(caller.userId(), idempotencyKey.orElseThrow())
                    .map(found -> new Created(found.orElseThrow(), false))));
  }

  /**
   * Runs round 1 at once, so the answer already says "offered". Its due time was stored with the request, so
   * if this fails (or the process dies now) the match worker runs it shortly; the request is safe either way.
   */
  private Future<Void> firstRound(UUID id) {
    return matcher.runDue(id).recover(failure -> {
      LOG.warn("matching: round 1 of a new request failed; the worker retries it: {}", failure.toString());
      return Future.succeededFuture();
    });
  }

  /** The resident the request is for: the caller, or (ambassadors) a resident of one of their wijken. */
  private Future<UUID> resident(Principal caller, JsonObject body) {
    String onBehalfOf = body.getString("onBehalfOf");
    if (onBehalfOf == null || onBehalfOf.equals(caller.userId().toString())) {
      if (!caller.has(Role.RESIDENT)) {
        return Future.failedFuture(new DomainException.Invalid("/onBehalfOf",
            "An ambassador names the resident this request is for."));
      }
      return Future.succeededFuture(caller.userId());
    }
    if (!caller.has(Role.AMBASSADOR)) {
      return Future.failedFuture(new DomainException.Forbidden("Only ambassadors enter requests for someone else."));
    }
    if (body.getJsonObject("consent") == null) {
      return Future.failedFuture(new DomainException.Invalid("/consent",
          "Record how the resident agreed to this request being entered for them."));
    }
    UUID resident = UUID.fromString(onBehalfOf);
    return store.home(resident)
        .compose(home -> home.isPresent() && caller.wijken().contains(home.get().wijkCode())
            ? Future.succeededFuture(resident)
            // Someone outside the ambassador's wijken is indistinguishable from someone who does not exist.
            : Future.failedFuture(new DomainException.NotFound("Resident")));
  }

  /** Where help is needed: the pickup point for a ride, the resident's home otherwise. */
  private Future<RequestStore.Home> location(UUID resident, JsonObject body, String kind) {
    if (kind.equals("transport")) {
      JsonObject pickup = body.getJsonObject("transport").getJsonObject("pickup").getJsonObject("location");
      double lat = pickup.getDouble("lat");
      double lon = pickup.getDouble("lon");
      return areas.buurtAt(lat, lon)
          .map(area -> Future.succeededFuture(new RequestStore.Home(lat, lon, area.buurtCode(), area.wijkCode())))
          .orElseGet(() -> Future.failedFuture(new DomainException.Invalid("/transport/pickup/location",
              "The pickup point is not in a buurt of Utrecht.")));
    }
    return store.home(resident)
        .compose(home -> home.isPresent()
            ? Future.succeededFuture(home.get())
            : Future.failedFuture(new DomainException.Invalid("/home", "Set the resident's home first (PUT /v1/me/home).")));
  }

  private static void checkKindObjects(JsonObject body, String kind) {
    List<FieldError> errors = new ArrayList<>();
    for (String candidate : KINDS) {
      boolean present = body.containsKey(candidate) && body.getValue(candidate) != null;
      if (candidate.equals(kind) && !present) {
        errors.add(new FieldError("/" + candidate, "Required for a " + kind + " request."));
      } else if (!candidate.equals(kind) && present) {
        errors.add(new FieldError("/" + candidate, "Not allowed for a " + kind + " request."));
      }
    }
    if (kind.equals("companionship")) {
      JsonObject recurrence = body.getJsonObject("companionship").getJsonObject("recurrence");
      if (recurrence != null && recurrence.getString("endTime").compareTo(recurrence.getString("startTime")) <= 0) {
        errors.add(new FieldError("/companionship/recurrence/endTime", "Must be after startTime."));
      }
    }
    if (!errors.isEmpty()) {
      throw new DomainException.Invalid("The request's details do not fit its kind.", errors);
    }
  }

  private List<HelpRequest.Window> windows(JsonArray raw) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    List<HelpRequest.Window> windows = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      JsonObject window = raw.getJsonObject(i);
      OffsetDateTime start = OffsetDateTime.parse(window.getString("start"));
      OffsetDateTime end = OffsetDateTime.parse(window.getString("end"));
      if (!end.isAfter(start)) {
        errors.add(new FieldError("/timeWindows/" + i + "/end", "Must be after start."));
      } else if (!end.isAfter(now)) {
        errors.add(new FieldError("/timeWindows/" + i + "/end", "Is in the past."));
      } else if (start.isAfter(now.plus(MAX_AHEAD))) {
        errors.add(new FieldError("/timeWindows/" + i + "/start", "Is more than a year ahead."));
      }
      windows.add(new HelpRequest.Window(start, end));
    }
    if (!errors.isEmpty()) {
      throw new DomainException.Invalid("Some time windows are not usable.", errors);
    }
    windows.sort((a, b) -> a.start().compareTo(b.start()));
    return windows;
  }

  /** A request the caller may see: its resident, an ambassador of its wijk, or an admin; else "not found". */
  public Future<HelpRequest> get(Principal caller, UUID id) {
    return store.find(id).compose(found -> found.filter(request -> maySee(caller, request))
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new DomainException.NotFound("Request"))));
  }

  /** As {@link #get}, and also for the volunteer matched to it. */
  public Future<HelpRequest> getAsParticipant(Principal caller, UUID id) {
    return store.find(id).compose(found -> found
        .filter(request -> maySee(caller, request) || caller.userId().equals(request.volunteerId()))
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new DomainException.NotFound("Request"))));
  }

  public Future<List<RequestStore.StatusChange>> history(Principal caller, UUID id) {
    return get(caller, id).compose(request -> store.history(request.id()));
  }

  public Future<List<HelpRequest>> listMine(Principal caller, Optional<RequestStatus> status, Optional<Cursor> after,
                                            int limit) {
    return store.listByResident(caller.userId(), status, after, limit);
  }

  /** Withdraws a request (its resident, an ambassador of its wijk, or an admin), recording why. */
  public Future<HelpRequest> cancel(Principal caller, UUID id, String reason) {
    return get(caller, id)
        .compose(request -> store.transition(request.id(), RequestStatus.CANCELLED, caller.userId(), reason,
            (tx, from) -> RequestStore.find(tx, request.id())
                .compose(current -> matcher.withdrawn(tx, current.orElseThrow(), from))))
        .recover(failure -> failure instanceof RequestStore.IllegalTransition illegal
            ? Future.failedFuture(new DomainException.Conflict("illegal-transition",
                "A " + illegal.from().wire() + " request cannot be cancelled."))
            : Future.failedFuture(failure))
        .compose(done -> get(caller, id));
  }

  static boolean maySee(Principal caller, HelpRequest request) {
    return caller.userId().equals(request.residentId())
        || caller.has(Role.ADMIN)
        || (caller.has(Role.AMBASSADOR) && request.wijkCode() != null && caller.wijken().contains(request.wijkCode()));
  }
}
