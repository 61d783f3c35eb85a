package nl.omzien.reports;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.DayOfWeek;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Json;

/**
 * KPIs per wijk and period for ambassadors (their own wijken) and admins (all), computed in PostgreSQL by
 * {@link FiguresStore} and suppressed by {@link Suppression}. Definitions (all about requests <em>created</em> in
 * the period, Europe/Amsterdam days, re-matches of one occurrence not counted as requests) are in
 * {@code package-info.java} and the README.
 */
public final class FiguresService {
  /** Days after a companionship request in which an activity sign-up by that resident counts as a follow-up. */
  public static final int FOLLOW_UP_DAYS = 60;
  /** Longest period one call may cover. */
  public static final int MAX_DAYS = 731;

  private final FiguresStore store;
  private final AreaIndex areas;
  private final Clock clock;

  public FiguresService(FiguresStore store, AreaIndex areas, Clock clock) {
    this.store = store;
    this.areas = areas;
    this.clock = clock;
  }

  /** The query parameters as they arrived (validated against the contract; dates still text). */
  public record Filters(Optional<String> from, Optional<String> to, Optional<String> kind, Optional<String> wijk) {
  }

  /**
   * Checks the filters and the caller's scope. An ambassador may ask about their own wijken only (another wijk is
   * 403: which wijken exist is public); without a wijk filter they get all of theirs, an admin all ten.
   */
  public FiguresQuery query(Principal caller, Filters filters) {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, FiguresQuery.ZONE);
    LocalDate to = filters.to().map(v -> date("to", v)).orElse(today);
    LocalDate from = filters.from().map(v -> date("from", v)).orElse(to.minusYears(1).plusDays(1));
    if (from.isAfter(to)) {
      throw new DomainException.Invalid("to", "'to' must not be before 'from'.");
    }
    if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
      throw new DomainException.Invalid("from", "A period may cover at most " + MAX_DAYS + " days.");
    }
    return new FiguresQuery(from, to, filters.kind(), scope(caller, filters.wijk()), today, now);
  }

  private List<String> scope(Principal caller, Optional<String> wijk) {
    if (wijk.isPresent() && areas.wijk(wijk.get()).isEmpty()) {
      throw new DomainException.Invalid("wijk", "'" + wijk.get() + "' is not a wijk of Utrecht.");
    }
    List<String> allowed = caller.has(Role.ADMIN)
        ? areas.wijken().stream().map(AreaIndex.Wijk::code).toList()
        : areas.wijken().stream().map(AreaIndex.Wijk::code).filter(caller.wijken()::contains).toList();
    if (allowed.isEmpty()) {
      throw new DomainException.Forbidden("No wijk is assigned to you; figures are per wijk.");
    }
    if (wijk.isPresent()) {
      if (!allowed.contains(wijk.get())) {
        throw new DomainException.Forbidden("You may read the figures of your own wijken only.");
      }
      return List.of(wijk.get());
    }
    return allowed;
  }

  private static LocalDate date(String field, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new DomainException.Invalid(field, "'" + value + "' is not a calendar date (YYYY-MM-DD).");
    }
  }

  /** All figures for the query: one object per wijk (by code) and one over all of them. */
  public Future<JsonObject> figures(FiguresQuery q) {
    return store.flush(true).compose(flushed -> read(q));
  }

  private Future<JsonObject> read(FiguresQuery q) {
    Future<Map<String, JsonObject>> requests = store.requests(q);
    Future<Map<String, JsonObject>> volunteers = store.volunteers(q);
    Future<FiguresStore.Offers> offers = store.offers(q);
    Future<Map<String, JsonObject>> continuity = q.includesCompanionship()
        ? store.continuity(q) : Future.succeededFuture(Map.of());
    Future<Map<String, JsonObject>> sessions = store.sessions(q);
    Future<Map<String, JsonObject>> signups = store.signups(q);
    Future<Map<String, JsonObject>> followUp = q.includesCompanionship()
        ? store.followUp(q, FOLLOW_UP_DAYS) : Future.succeededFuture(Map.of());
    Future<Map<String, JsonObject>> feedback = store.feedback(q);
    Future<Map<String, JsonObject>> waiting = store.waiting(q);
    return Future.all(List.of(requests, volunteers, offers, continuity, sessions, signups, followUp, feedback, waiting))
        .map(all -> {
          Sources sources = new Sources(requests.result(), volunteers.result(), offers.result().totals(),
              offers.result().reasons(),
              continuity.result(), sessions.result(), signups.result(), followUp.result(), feedback.result(),
              waiting.result());
          JsonArray wijken = new JsonArray();
          int population = 0;
          int population65 = 0;
          for (String code : q.wijken()) {
            AreaIndex.Wijk wijk = areas.wijk(code).orElseThrow();
            population += wijk.population();
            population65 += wijk.population65Plus();
            wijken.add(area(q, sources, code, Json.areaRef(code, wijk.name()), wijk.population(),
                wijk.population65Plus()));
          }
          return new JsonObject()
              .put("period", new JsonObject().put("from", q.from().toString()).put("to", q.to().toString()))
              .put("kind", q.kind().orElse(null))
              .put("generatedAt", Json.dateTime(OffsetDateTime.ofInstant(q.now(), FiguresQuery.ZONE)))
              .put("suppression", new JsonObject().put("threshold", Suppression.THRESHOLD)
                  .put("marker", Suppression.MARKER))
              .put("followUpWindowDays", FOLLOW_UP_DAYS)
              .put("wijken", wijken)
              .put("total", area(q, sources, FiguresStore.TOTAL, null, population, population65));
        });
  }

  private record Sources(Map<String, JsonObject> requests, Map<String, JsonObject> volunteers,
                         Map<String, JsonObject> offers, Map<String, Map<String, Long>> reasons,
                         Map<String, JsonObject> continuity, Map<String, JsonObject> sessions,
                         Map<String, JsonObject> signups, Map<String, JsonObject> followUp,
                         Map<String, JsonObject> feedback, Map<String, JsonObject> waiting) {
  }

  private static JsonObject area(FiguresQuery q, Sources s, String key, JsonObject wijkRef, int population,
                                 int population65) {
    JsonObject r = s.requests().getOrDefault(key, new JsonObject());
    long requests = n(r, "requests");
    long matched = n(r, "matched");
    long offered = n(r, "offered");
    long referred = n(r, "referred");
    long active = n(s.volunteers().getOrDefault(key, new JsonObject()), "active");
    long withHours = n(r, "with_hours");
    JsonObject o = s.offers().getOrDefault(key, new JsonObject());
    JsonArray reasons = new JsonArray();
    s.reasons().getOrDefault(key, Map.of()).forEach((reason, count) ->
        reasons.add(new JsonObject().put("reason", reason).put("count", Suppression.count(count))));
    JsonObject feedback = s.feedback().getOrDefault(key, new JsonObject());
    JsonObject waiting = s.waiting().getOrDefault(key, new JsonObject());
    return new JsonObject()
        .put("wijk", wijkRef)
        .put("population", population)
        .put("population65Plus", population65)
        .put("requests", Suppression.count(requests))
        .put("matched", countAndShare(matched, requests))
        .put("timeToFirstOfferMinutes", timing(r, "offer", offered))
        .put("timeToMatchMinutes", timing(r, "match", matched))
        .put("escalated", countAndShare(n(r, "escalated"), requests))
        .put("referred", countAndShare(referred, requests))
        .put("expired", countAndShare(n(r, "expired"), requests))
        .put("resolvedInSocialBasisShare", Suppression.share(matched, matched + referred))
        .put("volunteers", new JsonObject()
            .put("active", Suppression.count(active))
            .put("per1000Residents", population == 0 ? Suppression.MARKER
                : Suppression.derived(active * 1000.0 / population, active, 2))
            .put("completedWithHours", Suppression.count(withHours))
            .put("hours", Suppression.derived(r.getDouble("hours"), withHours, 1)))
        .put("offers", new JsonObject()
            .put("made", Suppression.count(n(o, "made")))
            .put("declined", Suppression.count(n(o, "declined")))
            .put("declinedShare", Suppression.share(n(o, "declined"), n(o, "made")))
            .put("declineReasons", reasons))
        .put("continuity", q.includesCompanionship() ? continuity(s.continuity().get(key)) : null)
        .put("activities", new JsonObject()
            .put("sessionsHeld", Suppression.count(n(s.sessions().getOrDefault(key, new JsonObject()), "held")))
            .put("signups", Suppression.count(n(s.signups().getOrDefault(key, new JsonObject()), "signups")))
            .put("companionshipFollowedBySignup", q.includesCompanionship()
                ? followUp(s.followUp().get(key)) : null))
        .put("feedback", new JsonObject()
            .put("count", Suppression.count(n(feedback, "n")))
            .put("meanRating", Suppression.derived(feedback.getDouble("mean"), n(feedback, "n"), 2)))
        .put("waitingNow", new JsonObject()
            .put("count", Suppression.count(n(waiting, "n")))
            .put("medianMinutes", Suppression.derived(waiting.getDouble("p50"), n(waiting, "n"), 1)));
  }

  private static JsonObject countAndShare(long count, long of) {
    return new JsonObject().put("count", Suppression.count(count)).put("share", Suppression.share(count, of));
  }

  private static JsonObject timing(JsonObject r, String prefix, long observations) {
    return new JsonObject()
        .put("observations", Suppression.count(observations))
        .put("median", Suppression.derived(r.getDouble(prefix + "_p50"), observations, 1))
        .put("p90", Suppression.derived(r.getDouble(prefix + "_p90"), observations, 1));
  }

  private static JsonObject continuity(JsonObject row) {
    JsonObject c = row == null ? new JsonObject() : row;
    return new JsonObject()
        .put("repeatMatches", Suppression.count(n(c, "repeat_matches")))
        .put("sameVolunteerShare", Suppression.share(n(c, "same_volunteer"), n(c, "repeat_matches")));
  }

  private static JsonObject followUp(JsonObject row) {
    JsonObject f = row == null ? new JsonObject() : row;
    return new JsonObject()
        .put("windowDays", FOLLOW_UP_DAYS)
        .put("eligible", Suppression.count(n(f, "eligible")))
        .put("share", Suppression.share(n(f, "followed"), n(f, "eligible")));
  }

  private static long n(JsonObject row, String field) {
    Number value = row.getNumber(field);
    return value == null ? 0 : value.longValue();
  }

  /**
   * Requests and time to match per week (weeks start on Monday) or month, over all wijken of the query, every
   * bucket of the period present (empty ones suppressed like any other).
   */
  public Future<JsonObject> series(FiguresQuery q, String interval) {
    return store.flush(true).compose(flushed -> store.series(q, interval)).map(rows -> {
      Map<String, JsonObject> byBucket = new java.util.HashMap<>();
      rows.forEach(row -> byBucket.put(row.getString("bucket"), row));
      JsonArray points = new JsonArray();
      LocalDate bucket = interval.equals("week")
          ? q.from().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
          : q.from().withDayOfMonth(1);
      while (!bucket.isAfter(q.to())) {
        JsonObject row = byBucket.getOrDefault(bucket.toString(), new JsonObject());
        long requests = n(row, "requests");
        long matched = n(row, "matched");
        points.add(new JsonObject()
            .put("start", bucket.toString())
            .put("requests", Suppression.count(requests))
            .put("matchedShare", Suppression.share(matched, requests))
            .put("timeToMatchMinutes", new JsonObject()
                .put("median", Suppression.derived(row.getDouble("match_p50"), matched, 1))
                .put("p90", Suppression.derived(row.getDouble("match_p90"), matched, 1))));
        bucket = interval.equals("week") ? bucket.plusWeeks(1) : bucket.plusMonths(1);
      }
      return new JsonObject()
          .put("period", new JsonObject().put("from", q.from().toString()).put("to", q.to().toString()))
          .put("kind", q.kind().orElse(null))
          .put("interval", interval)
          .put("wijken", new JsonArray(q.wijken()))
          .put("points", points);
    });
  }

  /** Help waiting now in the query's wijken, longest waiting first (no names, no addresses). */
  public Future<JsonObject> waiting(FiguresQuery q, int limit) {
    return store.waitingList(q.wijken(), limit + 1).map(rows -> {
      JsonArray items = new JsonArray();
      rows.stream().limit(limit).forEach(w -> items.add(new JsonObject()
          .put("requestId", w.id().toString())
          .put("kind", w.kind())
          .put("status", w.status())
          .put("urgency", w.urgency())
          .put("wijk", Json.areaRef(w.wijkCode(), w.wijkName()))
          .put("buurt", w.buurtCode() == null ? null : Json.areaRef(w.buurtCode(), w.buurtName()))
          .put("createdAt", Json.dateTime(w.createdAt()))
          .put("waitingMinutes", Math.max(0, Duration.between(w.createdAt().toInstant(), q.now()).toMinutes()))));
      return new JsonObject().put("items", items).put("truncated", rows.size() > limit);
    });
  }

  /**
   * All ten wijk polygons for the map (CBS 2024, generalised; {@code [lat, lon]} vertices), each saying whether the
   * caller may read its figures. Geography is public; figures are not.
   */
  public JsonObject shapes(Principal caller) {
    JsonArray wijken = new JsonArray();
    for (AreaIndex.Wijk wijk : areas.wijken()) {
      JsonArray rings = new JsonArray();
      for (List<double[]> ring : wijk.rings()) {
        JsonArray points = new JsonArray();
        ring.forEach(p -> points.add(new JsonArray().add(p[0]).add(p[1])));
        rings.add(points);
      }
      wijken.add(new JsonObject().put("code", wijk.code()).put("name", wijk.name())
          .put("population", wijk.population())
          .put("inScope", caller.has(Role.ADMIN) || caller.wijken().contains(wijk.code()))
          .put("rings", rings));
    }
    return new JsonObject()
        .put("source", "CBS Wijk- en Buurtkaart 2024, generalised; Bron: CBS, Kadaster/PDOK, CC BY 4.0")
        .put("wijken", wijken);
  }
}
