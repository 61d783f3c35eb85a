package nl.omzien.activities;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.activities.ActivityStore.Created;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;
import nl.omzien.errors.DomainException.FieldError;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Idempotency;

/**
 * Buurtcentra and their activities: organisations and organisers, venues, activities, the nearby listing and
 * sign-ups. Organisers act only within organisations they are a member of; anything of another organisation is
 * reported as not found, so its existence does not leak. Every write to an activity is applied to the
 * {@link ActivityIndex} after it commits.
 */
public final class ActivityService {
  /** Longest a one-off session may last. */
  static final Duration LONGEST_SESSION = Duration.ofHours(24);
  /** Furthest a schedule may reach ahead of today, in days. */
  static final int FURTHEST_DAYS_AHEAD = 2 * 366;

  private final ActivityStore store;
  private final ActivityIndex index;
  private final AreaIndex areas;
  private final Clock clock;

  public ActivityService(ActivityStore store, ActivityIndex index, AreaIndex areas, Clock clock) {
    this.store = store;
    this.index = index;
    this.areas = areas;
    this.clock = clock;
  }

  /** Builds the index from the active activities in PostgreSQL. */
  public static Future<ActivityService> start(ActivityStore store, AreaIndex areas, Clock clock) {
    return store.activeActivities()
        .map(ActivityIndex::of)
        .map(index -> new ActivityService(store, index, areas, clock));
  }

  /** The in-memory index, for in-process callers such as matching. */
  public ActivityIndex index() {
    return index;
  }

  // --- organisations ---------------------------------------------------------------------------------------

  /** Creates an organisation; a repeated {@code Idempotency-Key} of the same admin answers the earlier one. */
  public Future<Idempotency.Outcome<Organisation>> createOrganisation(Principal principal, String name, String kind,
                                                                     Optional<String> idempotencyKey) {
    return store.createOrganisation(principal.userId(), name, kind, idempotencyKey);
  }

  /** Admins see every organisation; others see those they are a member of. */
  public Future<List<Organisation>> organisations(Principal principal) {
    return principal.has(Role.ADMIN) ? store.allOrganisations() : store.organisationsOf(principal.userId());
  }

  public Future<Void> addMember(UUID organisationId, UUID userId) {
    return requireOrganisation(organisationId)
        .compose(organisation -> store.addMember(organisationId, userId));
  }

  public Future<Void> removeMember(UUID organisationId, UUID userId) {
    return requireOrganisation(organisationId)
        .compose(organisation -> store.removeMember(organisationId, userId));
  }

  private Future<Organisation> requireOrganisation(UUID organisationId) {
    return store.findOrganisation(organisationId)
        .compose(found -> orNotFound(found, "Organisation"));
  }

  private Future<Void> requireMember(Principal principal, UUID organisationId) {
    return store.isMember(principal.userId(), organisationId)
        .compose(member -> member
            ? Future.succeededFuture()
            : Future.failedFuture(new DomainException.NotFound("Organisation")));
  }

  // --- venues ----------------------------------------------------------------------------------------------

  /** Creates a venue; its wijk and buurt come from the point, which must lie in (or just by) a buurt of Utrecht. */
  public Future<Idempotency.Outcome<Venue>> createVenue(Principal principal, UUID organisationId, VenueDraft draft,
                                                        Optional<String> idempotencyKey) {
    return requireMember(principal, organisationId)
        .compose(member -> areaOf(draft))
        .compose(area -> store.createVenue(principal.userId(), organisationId, draft, area, idempotencyKey));
  }

  private Future<AreaIndex.Area> areaOf(VenueDraft draft) {
    return areas.buurtAt(draft.lat(), draft.lon())
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new DomainException.Invalid(
            "The venue's point is not in Utrecht: it lies in no buurt of the municipality.",
            List.of(new FieldError("/lat", "not within a buurt of Utrecht"),
                new FieldError("/lon", "not within a buurt of Utrecht")))));
  }

  public Future<List<Venue>> venues(Principal principal, UUID organisationId) {
    return requireMember(principal, organisationId)
        .compose(member -> store.venuesOf(organisationId));
  }

  // --- activities (organisers) -----------------------------------------------------------------------------

  public Future<Created<Activity>> createActivity(Principal principal, UUID organisationId, ActivityDraft draft,
                                                  Optional<String> idempotencyKey) {
    return requireMember(principal, organisationId)
        .compose(member -> checkDraft(organisationId, draft))
        .compose(checked -> store.createActivity(organisationId, draft, principal.userId(), idempotencyKey))
        .onSuccess(created -> index.apply(created.value()));
  }

  public Future<Activity> updateActivity(Principal principal, UUID organisationId, UUID activityId,
                                         ActivityDraft draft) {
    return requireMember(principal, organisationId)
        .compose(member -> checkDraft(organisationId, draft))
        .compose(checked -> store.updateActivity(organisationId, activityId, draft, today()))
        .compose(updated -> updated.isPresent()
            ? Future.succeededFuture(updated.get())
            : whyNotActive(organisationId, activityId))
        .onSuccess(index::apply);
  }

  private Future<Activity> whyNotActive(UUID organisationId, UUID activityId) {
    return ownActivity(organisationId, activityId)
        .compose(found -> Future.failedFuture(new DomainException.Conflict("activity-cancelled",
            "This activity was cancelled; it can no longer be changed.")));
  }

  /** Cancels an activity; cancelling it again returns it unchanged. Sign-ups stay, for history. */
  public Future<Activity> cancelActivity(Principal principal, UUID organisationId, UUID activityId) {
    return requireMember(principal, organisationId)
        .compose(member -> store.cancelActivity(organisationId, activityId))
        .compose(cancelled -> cancelled.isPresent()
            ? Future.succeededFuture(cancelled.get())
            : ownActivity(organisationId, activityId))
        .onSuccess(index::apply);
  }

  public Future<List<Activity>> activities(Principal principal, UUID organisationId) {
    return requireMember(principal, organisationId)
        .compose(member -> store.activitiesOf(organisationId));
  }

  private Future<Activity> ownActivity(UUID organisationId, UUID activityId) {
    return store.findActivity(activityId)
        .map(found -> found.filter(a -> a.organisationId().equals(organisationId)))
        .compose(found -> orNotFound(found, "Activity"));
  }

  /** Domain rules the contract cannot express; every broken rule is named by its JSON pointer. */
  private Future<Void> checkDraft(UUID organisationId, ActivityDraft draft) {
    List<FieldError> errors = new ArrayList<>();
    Instant now = clock.instant();
    LocalDate furthest = today().plusDays(FURTHEST_DAYS_AHEAD);
    if (draft.schedule() instanceof Schedule.Once once) {
      if (!once.endsAt().isAfter(once.startsAt())) {
        errors.add(new FieldError("/schedule/endsAt", "must be after startsAt"));
      } else if (Duration.between(once.startsAt(), once.endsAt()).compareTo(LONGEST_SESSION) > 0) {
        errors.add(new FieldError("/schedule/endsAt", "a session lasts at most 24 hours"));
      }
      if (!once.startsAt().isAfter(now)) {
        errors.add(new FieldError("/schedule/startsAt", "must be in the future"));
      } else if (once.startsAt().atZone(Schedule.ZONE).toLocalDate().isAfter(furthest)) {
        errors.add(new FieldError("/schedule/startsAt", "at most two years ahead"));
      }
    } else {
      Schedule.Weekly weekly = (Schedule.Weekly) draft.schedule();
      if (!weekly.endTime().isAfter(weekly.startTime())) {
        errors.add(new FieldError("/schedule/endTime", "must be after startTime on the same day"));
      }
      if (weekly.lastDate().isBefore(weekly.firstDate())) {
        errors.add(new FieldError("/schedule/lastDate", "must not be before firstDate"));
      } else if (weekly.lastDate().isBefore(today())) {
        errors.add(new FieldError("/schedule/lastDate", "must not be in the past"));
      } else if (weekly.lastDate().isAfter(furthest)) {
        errors.add(new FieldError("/schedule/lastDate", "at most two years ahead"));
      } else if (weekly.endTime().isAfter(weekly.startTime()) && weekly.nextOccurrence(now).isEmpty()) {
        errors.add(new FieldError("/schedule/dayOfWeek", "no coming session falls on this day between the dates"));
      }
    }
    if (draft.cost().priceCents() == 0 && draft.cost().uPasDiscount()) {
      errors.add(new FieldError("/cost/uPasDiscount", "a free activity has no U-Pas discount"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new DomainException.Invalid(
          "The activity breaks " + errors.size() + " rule(s), see errors.", errors));
    }
    return store.findVenue(organisationId, draft.venueId())
        .compose(found -> found.isPresent()
            ? Future.succeededFuture()
            : Future.failedFuture(new DomainException.Invalid("/venueId", "no such venue in this organisation")));
  }

  // --- residents -------------------------------------------------------------------------------------------

  /** An activity by id, whichever organisation runs it (cancelled ones too, with their status). */
  public Future<Activity> activity(UUID activityId) {
    return store.findActivity(activityId)
        .compose(found -> orNotFound(found, "Activity"));
  }

  /**
   * One page of active activities near a point, from the in-memory index.
   *
   * @param limit items per page (1..100)
   */
  public Future<NearbyPage> nearby(ActivityQuery query, Optional<String> cursorText, int limit) {
    Optional<NearbyCursor> cursor = Optional.empty();
    if (cursorText.isPresent()) {
      cursor = NearbyCursor.decode(cursorText.get(), query);
      if (cursor.isEmpty()) {
        return Future.failedFuture(new DomainException.Invalid("cursor",
            "not a cursor of this listing (start again without it)"));
      }
    }
    List<NearbyActivity> all = index.near(query, clock.instant());
    NearbyCursor after = cursor.orElse(null);
    List<NearbyActivity> rest = after == null ? all : all.stream().filter(after::isBefore).toList();
    List<NearbyActivity> page = rest.subList(0, Math.min(limit, rest.size()));
    Optional<String> next = rest.size() > limit
        ? Optional.of(NearbyCursor.after(page.get(page.size() - 1), query).encode())
        : Optional.empty();
    return Future.succeededFuture(new NearbyPage(page, next));
  }

  /**
   * One page of the nearby listing.
   *
   * @param nextCursor present when more items follow
   */
  public record NearbyPage(List<NearbyActivity> items, Optional<String> nextCursor) {
  }

  /**
   * Signs a resident up for one session. A weekly activity needs the session's date; a one-off's is implied.
   * Signing up again for the same session returns the existing sign-up ({@code created = false}).
   */
  public Future<Created<Signup>> signUp(Principal principal, UUID activityId, Optional<LocalDate> date) {
    return activity(activityId)
        .compose(activity -> sessionDate(activity, date))
        .compose(day -> store.signUp(activityId, day, principal.userId()));
  }

  private Future<LocalDate> sessionDate(Activity activity, Optional<LocalDate> date) {
    if (!activity.active()) {
      return Future.failedFuture(new DomainException.Conflict("activity-cancelled", "This activity was cancelled."));
    }
    Optional<LocalDate> wanted = date.or(() -> activity.schedule() instanceof Schedule.Once once
        ? Optional.of(once.occurrence().date()) : Optional.empty());
    if (wanted.isEmpty()) {
      return Future.failedFuture(new DomainException.Invalid("/date", "required for a weekly activity"));
    }
    Optional<Occurrence> session = activity.schedule().occurrenceOn(wanted.get());
    if (session.isEmpty()) {
      return Future.failedFuture(new DomainException.Invalid("/date", "the activity has no session on this date"));
    }
    if (!session.get().endsAt().toInstant().isAfter(clock.instant())) {
      return Future.failedFuture(new DomainException.Invalid("/date", "this session has already ended"));
    }
    return Future.succeededFuture(wanted.get());
  }

  /** Cancels one of the caller's sign-ups; another person's is not found. */
  public Future<Signup> cancelSignup(Principal principal, UUID signupId) {
    return store.cancelSignup(signupId, principal.userId())
        .compose(found -> orNotFound(found, "Sign-up"));
  }

  public Future<List<Signup>> signups(Principal principal) {
    return store.signupsOf(principal.userId());
  }

  private LocalDate today() {
    return clock.instant().atZone(Schedule.ZONE).toLocalDate();
  }

  private static <T> Future<T> orNotFound(Optional<T> found, String what) {
    return found.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(new DomainException.NotFound(what)));
  }
}
