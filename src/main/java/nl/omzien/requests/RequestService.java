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
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;
import nl.omzien.errors.DomainException.FieldError;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Cursor;
import nl.omzien.matching.Matcher;

/**
 * Hulpvragen: creating them (for oneself, or by an ambassador for a resident of their wijk with recorded
 * consent), reading them with object-level authorisation, and moving them through their lifecycle.
 */
public final class RequestService {
  private static final List<String> KINDS = List.of("transport", "companionship", "respite");
  private static final Duration MAX_AHEAD = Duration.ofDays(366);

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
        .compose(whom -> location(whom.resident(), body, kind)
            .map(place -> new RequestStore.NewRequest(Ids.next(), whom.resident(), caller.userId(),
                whom.byAmbassador() ? body.getJsonObject("consent") : null, kind,
                body.getString("urgency"), body.getJsonObject(kind), body.getString("note"), place.lat(), place.lon(),
                place.buurtCode(), place.wijkCode(), windows, idempotencyKey.orElse(null), whom.reason())))
        .compose(request -> matcher.create(request).compose(inserted -> inserted.isPresent()
            ? Future.succeededFuture(new Created(inserted.get(), true))
            : earlier(caller, request.id(), idempotencyKey)));
  }

  /**
   * Nothing was written: a concurrent retry with the same key won the insert (answer with its request), or an
   * attempt of this very call that failed only as far as we could tell had committed (answer with that).
   */
  private Future<Created> earlier(Principal caller, UUID id, Optional<String> idempotencyKey) {
    return store.find(id).compose(own -> own.isPresent()
        ? Future.succeededFuture(new Created(own.get(), true))
        : store.findByIdempotencyKey(caller.userId(), idempotencyKey.orElseThrow())
            .map(found -> new Created(found.orElseThrow(), false)));
  }

  /** Who a new request is for, and how it came in (the first history entry's reason). */
  private record ForWhom(UUID resident, String reason, boolean byAmbassador) {
  }

  /**
   * The resident the request is for: the caller; a person the caller cares for (a mantelzorger, registered with
   * {@code POST /v1/me/cared-for}); or, for ambassadors, a resident of one of their wijken with recorded consent.
   */
  private Future<ForWhom> resident(Principal caller, JsonObject body) {
    String onBehalfOf = body.getString("onBehalfOf");
    if (onBehalfOf == null || onBehalfOf.equals(caller.userId().toString())) {
      if (!caller.has(Role.RESIDENT)) {
        return Future.failedFuture(new DomainException.Invalid("/onBehalfOf",
            "An ambassador names the resident this request is for."));
      }
      return Future.succeededFuture(new ForWhom(caller.userId(), "created", false));
    }
    UUID resident = UUID.fromString(onBehalfOf);
    Future<Boolean> carer = caller.has(Role.RESIDENT)
        ? store.isCarer(caller.userId(), resident)
        : Future.succeededFuture(false);
    return carer.compose(isCarer -> {
      if (isCarer) {
        return Future.succeededFuture(new ForWhom(resident, "entered by a carer (mantelzorger)", false));
      }
      if (!caller.has(Role.AMBASSADOR)) {
        return Future.failedFuture(new DomainException.Forbidden(
            "Only ambassadors, and carers for the people they care for, enter requests for someone else."));
      }
      if (body.getJsonObject("consent") == null) {
        return Future.failedFuture(new DomainException.Invalid("/consent",
            "Record how the resident agreed to this request being entered for them."));
      }
      return store.home(resident)
          .compose(home -> home.isPresent() && caller.wijken().contains(home.get().wijkCode())
              ? Future.succeededFuture(new ForWhom(resident, "entered by an ambassador", true))
              // Someone outside the ambassador's wijken is indistinguishable from someone who does not exist.
              : Future.failedFuture(new DomainException.NotFound("Resident")));
    });
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

  static void checkKindObjects(JsonObject body, String kind) {
    List<FieldError> errors = new ArrayList<>();
    for (String candidate : KINDS) {
      boolean present = body.containsKey(candidate) && body.getValue(candidate) != null;
      if (candidate.equals(kind) && !present) {
        errors.add(new FieldError("/" + candidate, "Required for a " + kind + " request."));
      } else if (!candidate.equals(kind) && present) {
        errors.add(new FieldError("/" + candidate, "Not allowed for a " + kind + " request."));
      }
    }
    if (kind.equals("companionship") && body.getValue("companionship") instanceof JsonObject companionship) {
      JsonObject recurrence = companionship.getJsonObject("recurrence");
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

  /**
   * A request the caller may see: its resident, a carer of its resident, an ambassador of its wijk, or an admin;
   * anyone else gets "not found".
   */
  public Future<HelpRequest> get(Principal caller, UUID id) {
    return store.find(id).compose(found -> found.isEmpty()
        ? Future.failedFuture(new DomainException.NotFound("Request"))
        : visible(caller, found.get(), false));
  }

  /** As {@link #get}, and also for the volunteer matched to it. */
  public Future<HelpRequest> getAsParticipant(Principal caller, UUID id) {
    return store.find(id).compose(found -> found.isEmpty()
        ? Future.failedFuture(new DomainException.NotFound("Request"))
        : visible(caller, found.get(), true));
  }

  /** The request when the caller may see it; the care relation is only looked up when nothing else allows it. */
  private Future<HelpRequest> visible(Principal caller, HelpRequest request, boolean volunteerToo) {
    if (maySee(caller, request) || (volunteerToo && caller.userId().equals(request.volunteerId()))) {
      return Future.succeededFuture(request);
    }
    return store.isCarer(caller.userId(), request.residentId())
        .compose(carer -> carer
            ? Future.succeededFuture(request)
            : Future.failedFuture(new DomainException.NotFound("Request")));
  }

  /** Whether the caller speaks for the request's resident: the resident, or one of their carers. */
  public Future<Boolean> speaksFor(Principal caller, HelpRequest request) {
    return caller.userId().equals(request.residentId())
        ? Future.succeededFuture(true)
        : store.isCarer(caller.userId(), request.residentId());
  }

  public Future<List<RequestStore.StatusChange>> history(Principal caller, UUID id) {
    return get(caller, id).compose(request -> store.history(request.id()));
  }

  public Future<List<HelpRequest>> listMine(Principal caller, Optional<RequestStatus> status, Optional<Cursor> after,
                                            int limit) {
    return store.listByResident(caller.userId(), status, after, limit);
  }

  /**
   * Edits a request that is not final: urgency, note, time windows and the kind's own object (the kind never
   * changes), checked as on creation. Its resident, a carer of its resident or an ambassador of its wijk may edit
   * it (admins only read). What an edit does to matching:
   * <ul>
   *   <li>only urgency and/or note changed: the request keeps its status, offers and match (a matched volunteer
   *       sees the new note in their task);</li>
   *   <li>the time windows or the details changed (for a ride: pickup, destination, appointment): what volunteers
   *       agreed to no longer holds, so pending offers are withdrawn, a matched volunteer is released (their offer
   *       becomes {@code withdrawn}, pushes {@code offer_withdrawn}, reminders withdrawn, planned visits dropped)
   *       and the request goes back to matching at round 1 at once.</li>
   * </ul>
   * All of it, with a history entry naming the changed fields, is one transaction. Final statuses answer 409
   * {@code illegal-transition}.
   */
  public Future<HelpRequest> update(Principal caller, UUID id, JsonObject body) {
    return get(caller, id)
        .compose(request -> mayEdit(caller, request).compose(may -> may
            ? Future.succeededFuture(request)
            : Future.failedFuture(new DomainException.Forbidden(
                "Only its resident, their carer or an ambassador of its wijk edits a request."))))
        .compose(request -> edit(request, body))
        .compose(edit -> store.inTransaction(tx -> RequestStore.lockAndFind(tx, id)
            .compose(current -> applyEdit(tx, caller, current.orElseThrow(), edit))))
        .compose(rematch -> rematch ? matcher.runFirstStep(id) : Future.succeededFuture())
        .compose(v -> get(caller, id));
  }

  private Future<Boolean> mayEdit(Principal caller, HelpRequest request) {
    if (caller.has(Role.AMBASSADOR) && request.wijkCode() != null && caller.wijken().contains(request.wijkCode())) {
      return Future.succeededFuture(true);
    }
    return speaksFor(caller, request);
  }

  /** The checked edit: same rules as creation, for the request's own kind. */
  private Future<RequestStore.Edit> edit(HelpRequest request, JsonObject body) {
    List<HelpRequest.Window> windows;
    try {
      checkKindObjects(body, request.kind());
      windows = windows(body.getJsonArray("timeWindows"));
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    return location(request.residentId(), body, request.kind())
        .map(place -> new RequestStore.Edit(body.getString("urgency"), body.getJsonObject(request.kind()),
            body.getString("note"), place.lat(), place.lon(), place.buurtCode(), place.wijkCode(), windows));
  }

  /** Applies an edit to the locked request; true when matching must start again. */
  private Future<Boolean> applyEdit(io.vertx.sqlclient.SqlConnection tx, Principal caller, HelpRequest current,
                                    RequestStore.Edit edit) {
    if (current.status().isFinal()) {
      return Future.failedFuture(new DomainException.Conflict("illegal-transition",
          "A " + current.status().wire() + " request cannot be edited."));
    }
    List<String> changed = new ArrayList<>();
    if (!edit.urgency().equals(current.urgency())) {
      changed.add("urgency");
    }
    if (!java.util.Objects.equals(edit.note(), current.note())) {
      changed.add("note");
    }
    boolean windowsChanged = !sameWindows(edit.windows(), current.windows());
    if (windowsChanged) {
      changed.add("timeWindows");
    }
    boolean detailsChanged = !edit.details().equals(current.details())
        || edit.lat() != current.lat() || edit.lon() != current.lon();
    if (detailsChanged) {
      changed.add(current.kind());
    }
    if (changed.isEmpty()) {
      return Future.succeededFuture(false);
    }
    String reason = "edited: " + String.join(", ", changed);
    boolean rematch = windowsChanged || detailsChanged;
    return RequestStore.update(tx, current.id(), edit)
        .compose(v -> rematch
            ? matcher.reopen(tx, current, caller.userId(), reason + "; matching starts again", true)
            : RequestStore.recordChange(tx, current.id(), caller.userId(), current.status(), current.status(), reason))
        .map(rematch);
  }

  private static boolean sameWindows(List<HelpRequest.Window> a, List<HelpRequest.Window> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).start().toInstant().equals(b.get(i).start().toInstant())
          || !a.get(i).end().toInstant().equals(b.get(i).end().toInstant())) {
        return false;
      }
    }
    return true;
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

  /** Visibility without the care relation (which needs the database): resident, admin, ambassador of its wijk. */
  static boolean maySee(Principal caller, HelpRequest request) {
    return caller.userId().equals(request.residentId())
        || caller.has(Role.ADMIN)
        || (caller.has(Role.AMBASSADOR) && request.wijkCode() != null && caller.wijken().contains(request.wijkCode()));
  }
}
