package nl.omzien.matching;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.Distances;
import nl.omzien.geo.PointIndex;
import nl.omzien.push.PushKind;
import nl.omzien.push.PushOutbox;
import nl.omzien.push.PushParams;
import nl.omzien.push.PushRef;
import nl.omzien.push.ReminderLead;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStatus;
import nl.omzien.requests.RequestStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matching engine. A new request starts round 1: the best N eligible volunteers get an offer (and a push,
 * written to the outbox in the same transaction). When nobody accepts within the round's time, the next round
 * widens the radius and asks more; after the last round, or when the help is too close to wait longer, the
 * request is escalated to its wijk's ambassadors. Rounds are due times in PostgreSQL, taken with
 * {@code FOR NO KEY UPDATE SKIP LOCKED}, so a restart or another instance resumes them and no round runs twice.
 * Acceptance is one conditional UPDATE: when many volunteers accept at once exactly one wins.
 */
public final class Matcher {
  private static final Logger LOG = LoggerFactory.getLogger(Matcher.class);
  /** Offer pushes are urgent when the help starts within this time (or the request is urgent). */
  private static final Duration URGENT_WITHIN = Duration.ofHours(3);

  private final Pool pool;
  private final VolunteerIndex volunteers;
  private final TaskLedger tasks;
  private final PushOutbox outbox;
  private final MatchConfig config;

  public Matcher(Pool pool, VolunteerIndex volunteers, TaskLedger tasks, PushOutbox outbox, MatchConfig config) {
    this.pool = pool;
    this.volunteers = volunteers;
    this.tasks = tasks;
    this.outbox = outbox;
    this.config = config;
  }

  public MatchConfig config() {
    return config;
  }

  public VolunteerIndex volunteers() {
    return volunteers;
  }

  public TaskLedger tasks() {
    return tasks;
  }

  /** A ranked, eligible volunteer. */
  public record Candidate(VolunteerCard card, Score score, Dynamics dynamics) {
  }

  /**
   * What a round knows of a candidate besides their profile: their tasks ({@link TaskLedger}) and whether this
   * request already asked them or its resident declined them.
   */
  public record Dynamics(int weekTasks, int recentTasks, boolean knownFace, boolean offered, boolean excluded) {
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rounds

  /** Requests whose next step is due (oldest first); the worker runs {@link #runDue} for each. */
  public Future<List<UUID>> due(int limit) {
    return MatchStore.due(pool, limit);
  }

  /**
   * Takes the request's next step if it is due and no other worker holds it: the next offer round, escalation
   * to the ambassadors, or expiry once its time has passed.
   */
  public Future<Void> runDue(UUID requestId) {
    return pool.withTransaction(tx -> MatchStore.lockDue(tx, requestId).compose(locked -> {
      if (locked.isEmpty() || !locked.get().due()) {
        return Future.succeededFuture();
      }
      return RequestStore.find(tx, requestId).compose(found -> advance(tx, found.orElseThrow(), locked.get()));
    }));
  }

  /**
   * Writes a new request with its first offer round in one transaction, so the answer already says "offered": the
   * request, its windows, its history and the round's offers in one statement, then the offer pushes. The round is
   * planned before the write, in memory, from the volunteer index and the task ledger (a new request has no offers
   * or exclusions yet, and nobody else can see it before it commits); an empty round widens as
   * {@link #runDue} would. When no round finds anyone, or the write with the round fails, the request is written
   * open and due instead and its first step runs as for any due request ({@link #runFirstStep}): escalation, or
   * the worker retrying. Empty when nothing was written because this creator already used the idempotency key.
   */
  public Future<Optional<HelpRequest>> create(RequestStore.NewRequest fresh) {
    HelpRequest request = fresh.asOpen();
    Optional<Planned> planned = firstRoundPicks(request);
    return planned.isEmpty()
        ? createOpen(fresh)
        : createOffered(fresh, request, planned.get()).recover(failure -> {
          LOG.warn("matching: writing a new request with its first round failed, writing it open: {}",
              failure.toString());
          return createOpen(fresh);
        });
  }

  /** A first round worth writing: its number and whom it asks. */
  private record Planned(int round, List<Candidate> picked) {
  }

  /** The first round that finds anyone, widening as {@link #runDue} would; nobody was asked for a new request. */
  private Optional<Planned> firstRoundPicks(HelpRequest request) {
    for (int round = 1; round <= config.rounds(); round++) {
      int wanted = config.roundSize(round);
      List<Candidate> picked = open(rank(request, nearest(request, config.radiusMeters(request.kind(), round),
          poolSize(wanted)), MatchStore.Asked.NOBODY), wanted);
      if (!picked.isEmpty()) {
        return Optional.of(new Planned(round, picked));
      }
    }
    return Optional.empty();
  }

  private Future<Optional<HelpRequest>> createOffered(RequestStore.NewRequest fresh, HelpRequest request,
                                                      Planned planned) {
    List<MatchStore.NewOffer> offers = newOffers(planned.picked());
    Instant due = nextDue(Instant.now(), request, deadline(request));
    String reason = roundReason(planned.round(), offers.size());
    return pool.withTransaction(tx -> {
      Future<Optional<HelpRequest>> inserted = MatchStore.insertRequest(tx, fresh, planned.round(), due, reason, offers);
      // The pushes' cap locks and facts go right behind the insert (pipelined); only their insert waits for them.
      Future<List<UUID>> pushed = outbox.enqueueAll(tx, offerPushes(request, planned.picked(), offersByVolunteer(offers)));
      return Future.all(inserted, pushed).compose(v -> inserted.result().isPresent()
          ? Future.succeededFuture(inserted.result())
          : Future.<Optional<HelpRequest>>failedFuture(new NothingWritten()));
    }).recover(failure -> failure instanceof NothingWritten
        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(failure));
  }

  /** The request's id or idempotency key was already used: its pushes are rolled back with everything else. */
  private static final class NothingWritten extends RuntimeException {
    NothingWritten() {
      super("nothing written", null, false, false);
    }
  }

  /** The request open and due now; its first step runs at once (and the worker retries it if that fails). */
  private Future<Optional<HelpRequest>> createOpen(RequestStore.NewRequest fresh) {
    return MatchStore.insertRequest(pool, fresh, 0, null, null, List.of())
        .compose(inserted -> inserted.isEmpty() ? Future.succeededFuture(inserted)
            : runFirstStep(fresh.id()).compose(v -> RequestStore.find(pool, fresh.id())));
  }

  /**
   * Runs a request's due step now, for a caller that just made it due. Its due time is stored, so if this fails
   * (or the process dies now) the match worker runs it shortly; the request is safe either way.
   */
  public Future<Void> runFirstStep(UUID id) {
    return runDue(id).recover(failure -> {
      LOG.warn("matching: the first step of request {} failed; the worker retries it: {}", id, failure.toString());
      return Future.succeededFuture();
    });
  }

  private Future<Void> advance(SqlConnection tx, HelpRequest request, MatchStore.Locked locked) {
    Instant now = locked.now();
    Instant lastEnd = request.windows().get(request.windows().size() - 1).end().toInstant();
    if (!now.isBefore(lastEnd)) {
      return expire(tx, request, locked.status());
    }
    if (locked.status() == RequestStatus.ESCALATED) {
      // Escalated requests wake up only to expire; not yet: check again at the end of the last window.
      return MatchStore.setDue(tx, request.id(), lastEnd);
    }
    if (locked.status() != RequestStatus.OPEN && locked.status() != RequestStatus.OFFERED) {
      return MatchStore.setDue(tx, request.id(), null);
    }
    Instant deadline = deadline(request);
    if (locked.round() >= config.rounds() || (locked.round() > 0 && !now.isBefore(deadline))) {
      return escalate(tx, request, locked.status(), locked.round() >= config.rounds()
          ? "no volunteer accepted in " + config.rounds() + " rounds"
          : "no volunteer accepted in time");
    }
    return offerRound(tx, request, locked, locked.round() + 1, deadline);
  }

  private Future<Void> offerRound(SqlConnection tx, HelpRequest request, MatchStore.Locked locked, int round,
                                  Instant deadline) {
    return pick(tx, request, config.radiusMeters(request.kind(), round), config.roundSize(round))
        .compose(picked -> {
          if (picked.isEmpty() && round < config.rounds()) {
            return offerRound(tx, request, locked, round + 1, deadline); // nobody new nearby: widen at once
          }
          if (picked.isEmpty()) {
            return MatchStore.pendingOffers(tx, request.id()).compose(pending -> pending > 0
                // Earlier offers still stand: wait for them until the round ends, then escalate.
                ? MatchStore.setOffered(tx, request.id(), round, nextDue(locked.now(), request, deadline), null)
                : escalate(tx, request, locked.status(), "no eligible volunteer nearby"));
          }
          // Sent together (pipelined on the connection): the request row is already locked, and the offer pushes
          // take their volunteers' cap locks last, so those are held for as short a time as possible.
          Future<Void> offered = MatchStore.setOffered(tx, request.id(), round,
              nextDue(locked.now(), request, deadline), locked.status() == RequestStatus.OPEN
                  ? roundReason(round, picked.size()) : null);
          return Future.all(offered, makeOffers(tx, request, round, picked)).mapEmpty();
        });
  }

  /** The history's reason for the change open -> offered. */
  private static String roundReason(int round, int asked) {
    return "offer round " + round + ": " + asked + " volunteer(s) asked";
  }

  /** When the round ends: its time for this kind and urgency, but not after the deadline (and never at once). */
  private static Instant nextDue(Instant now, HelpRequest request, Instant deadline) {
    Duration roundTime = MatchConfig.roundTime(request.kind(), request.urgency());
    Instant due = now.plus(roundTime);
    if (due.isAfter(deadline)) {
      due = deadline;
    }
    Instant earliest = now.plus(roundTime.compareTo(Duration.ofMinutes(10)) < 0 ? roundTime : Duration.ofMinutes(10));
    return due.isBefore(earliest) ? earliest : due;
  }

  /** When matching must have succeeded: the kind's lead time before the first window starts. */
  static Instant deadline(HelpRequest request) {
    return request.windows().get(0).start().toInstant().minus(MatchConfig.lead(request.kind()));
  }

  /**
   * The best {@code wanted} eligible volunteers within {@code radius} who were not asked for this request yet,
   * not declined by its resident, and under their weekly cap; best score first.
   */
  Future<List<Candidate>> pick(SqlClient client, HelpRequest request, double radius, int wanted) {
    return rank(client, request, radius, poolSize(wanted)).map(ranked -> open(ranked, wanted));
  }

  /** How many of the nearest to rank for a round that asks {@code wanted}. */
  private static int poolSize(int wanted) {
    return 4 * wanted + 30;
  }

  /** The first {@code wanted} of {@code ranked} not asked for this request yet, not declined, under their cap. */
  private static List<Candidate> open(List<Candidate> ranked, int wanted) {
    List<Candidate> open = new ArrayList<>();
    for (Candidate c : ranked) {
      if (!c.dynamics().offered() && !c.dynamics().excluded() && c.dynamics().weekTasks() < c.card().weeklyCap()) {
        open.add(c);
        if (open.size() == wanted) {
          break;
        }
      }
    }
    return open;
  }

  /** Candidates for an ambassador's view, ranked as a round would rank them (read outside any transaction). */
  public Future<List<Candidate>> rank(HelpRequest request, double radius, int poolSize) {
    return rank(pool, request, radius, poolSize);
  }

  /**
   * The {@code poolSize} nearest statically eligible volunteers with their tasks and whether this (existing)
   * request asked them already, by score: one read of the request's offers and exclusions on {@code client}.
   */
  Future<List<Candidate>> rank(SqlClient client, HelpRequest request, double radius, int poolSize) {
    Hits hits = nearest(request, radius, poolSize);
    if (hits.hits().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return MatchStore.asked(client, request.id()).map(asked -> rank(request, hits, asked));
  }

  /** The nearest statically eligible volunteers, and the query that judged them (it scores them too). */
  private record Hits(CandidateQuery query, List<PointIndex.Hit<VolunteerCard>> hits) {
  }

  private Hits nearest(HelpRequest request, double radius, int poolSize) {
    CandidateQuery query = CandidateQuery.of(request, radius, config.vogValidity());
    UUID resident = request.residentId();
    return new Hits(query, volunteers.nearest(request.lat(), request.lon(), poolSize, radius,
        card -> !card.id().equals(resident) && query.eligible(card)));
  }

  private List<Candidate> rank(HelpRequest request, Hits hits, MatchStore.Asked asked) {
    Instant[] week = week(request);
    Instant now = Instant.now();
    List<Candidate> ranked = new ArrayList<>(hits.hits().size());
    for (PointIndex.Hit<VolunteerCard> hit : hits.hits()) {
      UUID id = hit.payload().id();
      TaskLedger.Facts facts = tasks.facts(id, request.id(), request.residentId(), week[0], week[1], now);
      Dynamics d = new Dynamics(facts.weekTasks(), facts.recentTasks(), facts.knownFace(),
          asked.offered().contains(id), asked.excluded().contains(id));
      ranked.add(new Candidate(hit.payload(), Score.of(config, hits.query(), hit.payload(), hit.distanceMeters(),
          d.knownFace(), d.recentTasks()), d));
    }
    ranked.sort(Comparator.comparingDouble((Candidate c) -> -c.score().total())
        .thenComparingInt(c -> c.score().distanceMeters())
        .thenComparing(c -> c.card().id()));
    return ranked;
  }

  /** The local (Europe/Amsterdam) ISO week of the request's first window, for the weekly cap. */
  private static Instant[] week(HelpRequest request) {
    ZonedDateTime start = request.windows().get(0).start().atZoneSameInstant(WeekMinutes.ZONE)
        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toLocalDate().atStartOfDay(WeekMinutes.ZONE);
    return new Instant[] {start.toInstant(), start.plusWeeks(1).toInstant()};
  }

  /** Offers to the picked volunteers and their pushes: two batches, whatever their number. */
  private Future<Void> makeOffers(SqlConnection tx, HelpRequest request, int round, List<Candidate> picked) {
    return MatchStore.insertOffers(tx, request.id(), round, newOffers(picked))
        .compose(made -> outbox.enqueueAll(tx, offerPushes(request, picked, made)).mapEmpty());
  }

  private List<MatchStore.NewOffer> newOffers(List<Candidate> picked) {
    return picked.stream()
        .map(c -> new MatchStore.NewOffer(Ids.next(), c.card().id(), c.score(), c.score().toJson(config)))
        .toList();
  }

  private static Map<UUID, UUID> offersByVolunteer(List<MatchStore.NewOffer> offers) {
    Map<UUID, UUID> made = new HashMap<>();
    offers.forEach(offer -> made.put(offer.volunteerId(), offer.id()));
    return made;
  }

  /** An {@code offer_made} push for each picked volunteer whose offer was made ({@code made}: volunteer to offer). */
  private static List<PushOutbox.Push> offerPushes(HelpRequest request, List<Candidate> picked,
                                                   Map<UUID, UUID> made) {
    boolean urgent = urgent(request);
    List<PushOutbox.Push> pushes = new ArrayList<>();
    for (Candidate candidate : picked) {
      UUID offerId = made.get(candidate.card().id());
      if (offerId != null) {
        pushes.add(new PushOutbox.Push(candidate.card().id(), PushKind.OFFER_MADE, urgent,
            Map.of(PushRef.OFFER, offerId, PushRef.REQUEST, request.id()),
            params(request).withDistanceMeters(candidate.score().distanceMeters())));
      }
    }
    return pushes;
  }

  private static boolean urgent(HelpRequest request) {
    return "high".equals(request.urgency())
        || request.windows().get(0).start().toInstant().isBefore(Instant.now().plus(URGENT_WITHIN));
  }

  private static PushParams params(HelpRequest request) {
    return PushParams.NONE.withHelpKind(request.kind()).withWhen(request.windows().get(0).start().toInstant());
  }

  private Future<Void> escalate(SqlConnection tx, HelpRequest request, RequestStatus from, String reason) {
    Instant lastEnd = request.windows().get(request.windows().size() - 1).end().toInstant();
    return MatchStore.setStatus(tx, request.id(), RequestStatus.ESCALATED, lastEnd)
        .compose(v -> RequestStore.recordChange(tx, request.id(), null, from, RequestStatus.ESCALATED, reason))
        .compose(v -> request.wijkCode() == null
            ? Future.succeededFuture(List.<UUID>of())
            : MatchStore.ambassadors(tx, request.wijkCode()))
        .compose(ambassadors -> ambassadors.isEmpty()
            ? Future.succeededFuture()
            : MatchStore.escalatedWaiting(tx, request.wijkCode()).compose(waiting -> outbox.enqueueAll(tx,
                ambassadors.stream().map(ambassador -> new PushOutbox.Push(ambassador, PushKind.REQUEST_ESCALATED,
                    true, Map.of(PushRef.REQUEST, request.id()), params(request).withCount(waiting))).toList())
                .mapEmpty()));
  }

  private Future<Void> expire(SqlConnection tx, HelpRequest request, RequestStatus from) {
    if (from != RequestStatus.OPEN && from != RequestStatus.OFFERED && from != RequestStatus.ESCALATED) {
      return MatchStore.setDue(tx, request.id(), null);
    }
    return MatchStore.setStatus(tx, request.id(), RequestStatus.EXPIRED, null)
        .compose(v -> RequestStore.recordChange(tx, request.id(), null, from, RequestStatus.EXPIRED,
            "its time passed without a match"))
        .compose(v -> closeOffers(tx, request, "withdrawn", PushKind.OFFER_WITHDRAWN));
  }

  /** Closes the request's pending offers with {@code status} and tells each volunteer with {@code kind}. */
  private Future<Void> closeOffers(SqlConnection tx, HelpRequest request, String status, PushKind kind) {
    return closedOffers(tx, request, status, kind).compose(pushes -> outbox.enqueueAll(tx, pushes)).mapEmpty();
  }

  /** Closes the request's pending offers with {@code status}; the pushes ({@code kind}) that tell their volunteers. */
  private Future<List<PushOutbox.Push>> closedOffers(SqlConnection tx, HelpRequest request, String status,
                                                     PushKind kind) {
    return MatchStore.closeOffers(tx, request.id(), status).map(closed -> closed.stream()
        .map(offer -> new PushOutbox.Push(offer[1], kind, false,
            Map.of(PushRef.OFFER, offer[0], PushRef.REQUEST, request.id()), params(request)))
        .toList());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Volunteers answer

  /**
   * Accepts an offer: exactly one volunteer wins a request. Accepting one's own accepted offer again answers
   * the same (a retry from a flaky network); others get 409 {@code offer-filled} or {@code offer-closed}.
   */
  public Future<UUID> accept(UUID volunteer, UUID offerId) {
    return pool.withTransaction(tx -> MatchStore.accept(tx, offerId, volunteer).compose(outcome -> {
          if (outcome.won().isEmpty()) {
            return Future.succeededFuture(outcome.before());
          }
          // The conditional UPDATE may have waited for the request's lock; when it got it, PostgreSQL re-checked
          // the request row but not the joined offer row, so the offer may have been declined meanwhile. Only a
          // still pending offer is taken; otherwise everything rolls back and the caller hears why.
          if (outcome.taken().isEmpty()) {
            return Future.<Optional<MatchStore.OfferState>>failedFuture(new OfferNoLongerPending());
          }
          UUID requestId = outcome.won().get();
          return RequestStore.recordChangeAndFind(tx, requestId, volunteer, RequestStatus.MATCHED, "offer accepted")
              .compose(request -> matched(tx, request.orElseThrow(), volunteer))
              .map(v -> Optional.of(new MatchStore.OfferState("accepted", requestId, RequestStatus.MATCHED)));
        }))
        .recover(failure -> failure instanceof OfferNoLongerPending
            ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(failure))
        .compose(state -> state.isPresent() && settled(state.get())
            ? why(Optional.of(state.get()))
            : whyNotAccepted(volunteer, offerId));
  }

  /**
   * Whether an offer's state (as the accept attempt saw it) already answers it: anything but a pending offer of a
   * request that still takes volunteers, which did not win only because something changed concurrently (then the
   * state is read again).
   */
  private static boolean settled(MatchStore.OfferState state) {
    return !(state.offerStatus().equals("pending") && (state.requestStatus() == RequestStatus.OPEN
        || state.requestStatus() == RequestStatus.OFFERED || state.requestStatus() == RequestStatus.ESCALATED));
  }

  /** Rolls back an accept whose offer was answered by a concurrent transaction. */
  private static final class OfferNoLongerPending extends RuntimeException {
    OfferNoLongerPending() {
      super("the offer is no longer pending", null, false, false);
    }
  }

  /**
   * Why an accept of this offer does not hold (now): fails with NotFound or a Conflict ({@code offer-filled},
   * {@code offer-closed}); succeeds with the request id when the volunteer's offer is accepted.
   */
  public Future<UUID> whyNotAccepted(UUID volunteer, UUID offerId) {
    return MatchStore.offerState(pool, offerId, volunteer).compose(Matcher::why);
  }

  /** What an accept of an offer in this state answers (empty: no such offer of theirs). */
  private static Future<UUID> why(Optional<MatchStore.OfferState> state) {
    if (state.isEmpty()) {
      return Future.failedFuture(new DomainException.NotFound("Offer"));
    }
    String status = state.get().offerStatus();
    RequestStatus request = state.get().requestStatus();
    if (status.equals("accepted") && (request == RequestStatus.MATCHED || request == RequestStatus.COMPLETED)) {
      return Future.succeededFuture(state.get().requestId());
    }
    if (status.equals("accepted")) {
      // Accepted, and then the request was cancelled (or went back to matching): there is no task to show.
      return Future.failedFuture(new DomainException.Conflict("offer-closed",
          "This offer is no longer open (the request is " + request.wire() + ")."));
    }
    if (status.equals("filled") || (status.equals("pending") && state.get().requestStatus() == RequestStatus.MATCHED)) {
      return Future.failedFuture(new DomainException.Conflict("offer-filled",
          "Another volunteer took this request first. Thank you for offering!"));
    }
    return Future.failedFuture(new DomainException.Conflict("offer-closed",
        "This offer is no longer open (it was " + (status.equals("pending")
            ? "closed: the request is " + state.get().requestStatus().wire() : status) + ")."));
  }

  /** What follows a match, in the same transaction: other offers filled, everyone told, reminders planned. */
  private Future<Void> matched(SqlConnection tx, HelpRequest request, UUID volunteer) {
    PushParams params = params(request);
    Instant start = request.windows().get(0).start().toInstant();
    Map<PushRef, UUID> ids = Map.of(PushRef.REQUEST, request.id());
    Future<List<PushOutbox.Push>> filled = closedOffers(tx, request, "filled", PushKind.OFFER_FILLED);
    // The resident's carers (who may have asked for them, and whose phone it is) hear it too. Both queries are sent
    // at once (pipelined on the connection).
    Future<List<UUID>> carersOf = MatchStore.carersOf(tx, request.residentId());
    return Future.all(filled, carersOf)
        .compose(both -> {
          List<UUID> carers = carersOf.result();
          List<PushOutbox.Push> pushes = new ArrayList<>(filled.result());
          for (UUID person : concat(request.residentId(), carers)) {
            pushes.add(new PushOutbox.Push(person, PushKind.MATCH_CONFIRMED, true, ids, params));
            pushes.add(new PushOutbox.Push(person, PushKind.VOLUNTEER_DETAILS_RELEASED, false, ids, params));
          }
          pushes.add(new PushOutbox.Push(volunteer, PushKind.VOLUNTEER_DETAILS_RELEASED, false, ids, params));
          for (UUID person : List.of(request.residentId(), volunteer)) {
            reminder(pushes, person, request, start.minus(Duration.ofHours(24)), ReminderLead.HOURS_24, false);
            reminder(pushes, person, request, start.minus(Duration.ofHours(1)), ReminderLead.HOUR_1, true);
          }
          return outbox.enqueueAll(tx, pushes);
        })
        .compose(v -> planOccurrences(tx, request, volunteer));
  }

  private static List<UUID> concat(UUID first, List<UUID> rest) {
    List<UUID> all = new ArrayList<>();
    all.add(first);
    rest.stream().filter(id -> !id.equals(first)).forEach(all::add);
    return all;
  }

  /** Weekly visits: the occurrences planned at once, each with the same volunteer. */
  static final int OCCURRENCES_PLANNED = 8;

  private Future<Void> planOccurrences(SqlConnection tx, HelpRequest request, UUID volunteer) {
    JsonObject recurrence = request.details().getJsonObject("recurrence");
    if (recurrence == null || !request.kind().equals("companionship")) {
      return Future.succeededFuture();
    }
    java.time.LocalDate date = request.windows().get(0).start().atZoneSameInstant(WeekMinutes.ZONE).toLocalDate()
        .with(TemporalAdjusters.nextOrSame(DayOfWeek.of(recurrence.getInteger("dayOfWeek"))));
    java.time.LocalDate until = recurrence.getString("until") == null ? null
        : java.time.LocalDate.parse(recurrence.getString("until"));
    java.time.LocalTime from = java.time.LocalTime.parse(recurrence.getString("startTime"));
    java.time.LocalTime to = java.time.LocalTime.parse(recurrence.getString("endTime"));
    List<io.vertx.sqlclient.Tuple> rows = new ArrayList<>();
    for (int i = 0; i < OCCURRENCES_PLANNED && (until == null || !date.isAfter(until)); i++, date = date.plusWeeks(1)) {
      rows.add(io.vertx.sqlclient.Tuple.of(request.id(), date.atTime(from).atZone(WeekMinutes.ZONE).toOffsetDateTime(),
          date.atTime(to).atZone(WeekMinutes.ZONE).toOffsetDateTime(), volunteer));
    }
    return MatchStore.insertOccurrences(tx, rows);
  }

  /**
   * The volunteer of a weekly visit cannot come on one date: only that occurrence is matched again (as a one-off
   * request, without them); every other occurrence keeps them. Returns the replacement request's id.
   */
  public Future<UUID> cancelOccurrence(UUID volunteer, UUID requestId, java.time.LocalDate date, String reason) {
    UUID replacement = Ids.next();
    return pool.withTransaction(tx -> MatchStore.lock(tx, requestId)
        .compose(locked -> MatchStore.lockOccurrence(tx, requestId, volunteer, date))
        .compose(occurrence -> occurrence.isEmpty()
            ? Future.failedFuture(new DomainException.NotFound("Planned visit on " + date))
            : MatchStore.insertReplacement(tx, requestId, replacement, volunteer, occurrence.get()[0],
                    occurrence.get()[1])
                .compose(v -> MatchStore.exclude(tx, replacement, volunteer, "cannot come on this date"))
                .compose(v -> RequestStore.recordChange(tx, replacement, volunteer, null, RequestStatus.OPEN,
                    "one visit of a weekly request, re-matched: " + reason))))
        .compose(v -> runDue(replacement))
        .map(replacement);
  }

  public Future<List<io.vertx.sqlclient.Row>> occurrences(UUID requestId) {
    return MatchStore.occurrences(pool, requestId);
  }

  /** A reminder push for {@code person} at {@code at}, unless that moment has passed. */
  private static void reminder(List<PushOutbox.Push> pushes, UUID person, HelpRequest request, Instant at,
                               ReminderLead lead, boolean urgent) {
    if (at.isAfter(Instant.now())) {
      pushes.add(new PushOutbox.Push(person, PushKind.APPOINTMENT_REMINDER, urgent,
          Map.of(PushRef.REQUEST, request.id()), params(request).withLead(lead), at));
    }
  }

  /**
   * Declines an offer (with an optional reason) and at once asks the next eligible volunteer within the current
   * round's radius. Declining an already declined offer again is a no-op.
   */
  public Future<Void> decline(UUID volunteer, UUID offerId, String reason) {
    // Locks in the order every other change uses (accept, cancel, rounds): the request first, then its offers.
    // Offer first and then the request deadlocked with an accept of another offer of the same request.
    return pool.withTransaction(tx -> MatchStore.offerState(tx, offerId, volunteer)
        .compose(state -> state.isEmpty()
            ? Future.succeededFuture(false)
            : MatchStore.lock(tx, state.get().requestId())
                .compose(locked -> MatchStore.answerOffer(tx, offerId, volunteer, "declined", reason)
                    .compose(answered -> answered.isEmpty()
                        ? Future.succeededFuture(false)
                        : RequestStore.find(tx, answered.get())
                            .compose(request -> replaceDeclined(tx, request.orElseThrow(), locked.orElseThrow()))
                            .map(true)))))
        .compose(done -> done ? Future.succeededFuture() : MatchStore.offerState(pool, offerId, volunteer)
            .compose(state -> state.isEmpty()
                ? Future.failedFuture(new DomainException.NotFound("Offer"))
                : state.get().offerStatus().equals("declined")
                    ? Future.succeededFuture()
                    : Future.failedFuture(new DomainException.Conflict("offer-closed",
                        "This offer is no longer open (it was " + state.get().offerStatus() + ")."))));
  }

  private Future<Void> replaceDeclined(SqlConnection tx, HelpRequest request, MatchStore.Locked locked) {
    if (locked.status() != RequestStatus.OFFERED && locked.status() != RequestStatus.ESCALATED) {
      return Future.succeededFuture();
    }
    int round = Math.max(1, locked.round());
    return pick(tx, request, config.radiusMeters(request.kind(), Math.min(round, config.rounds())), 1)
        .compose(picked -> picked.isEmpty()
            ? MatchStore.pendingOffers(tx, request.id()).compose(pending -> pending == 0
                && locked.status() == RequestStatus.OFFERED
                ? MatchStore.setDue(tx, request.id(), locked.now()) // nobody left in this round: next round now
                : Future.succeededFuture())
            : makeOffers(tx, request, round, picked));
  }

  /** A volunteer marks their task done, with the hours spent; both sides are asked for feedback. */
  public Future<Void> complete(UUID volunteer, UUID requestId, double hours) {
    return pool.withTransaction(tx -> MatchStore.lock(tx, requestId)
        .compose(locked -> RequestStore.find(tx, requestId).compose(found -> {
          HelpRequest request = found.filter(r -> volunteer.equals(r.volunteerId())).orElse(null);
          if (request == null) {
            return Future.failedFuture(new DomainException.NotFound("Task"));
          }
          if (request.status() != RequestStatus.MATCHED) {
            return Future.failedFuture(new DomainException.Conflict("illegal-transition",
                "A " + request.status().wire() + " task cannot be completed."));
          }
          if (locked.orElseThrow().now().isBefore(request.windows().get(0).start().toInstant())) {
            return Future.failedFuture(new DomainException.Conflict("not-started",
                "This task has not started yet; mark it done afterwards."));
          }
          Map<PushRef, UUID> ids = Map.of(PushRef.REQUEST, requestId);
          return MatchStore.complete(tx, requestId, volunteer, hours)
              .compose(v -> RequestStore.recordChange(tx, requestId, volunteer, RequestStatus.MATCHED,
                  RequestStatus.COMPLETED, "completed by the volunteer"))
              .compose(v -> outbox.enqueueAll(tx, List.of(
                  new PushOutbox.Push(request.residentId(), PushKind.FEEDBACK_REQUESTED, false, ids, params(request)),
                  new PushOutbox.Push(volunteer, PushKind.FEEDBACK_REQUESTED, false, ids, params(request)))))
              .mapEmpty();
        })));
  }

  // ---------------------------------------------------------------------------------------------------------
  // The resident, and the request's end

  /**
   * The resident declines the proposed (matched) volunteer: matching starts again without them, at round 1.
   * The caller has already been authorised to act on this request.
   */
  public Future<Void> declineMatch(UUID actor, UUID requestId, String reason) {
    return pool.withTransaction(tx -> MatchStore.lock(tx, requestId)
        .compose(locked -> RequestStore.find(tx, requestId).compose(found -> {
          HelpRequest request = found.orElseThrow();
          if (request.status() != RequestStatus.MATCHED) {
            return Future.failedFuture(new DomainException.Conflict("illegal-transition",
                "Only a matched request has a volunteer to decline; this one is " + request.status().wire() + "."));
          }
          UUID volunteer = request.volunteerId();
          return MatchStore.acceptedOffer(tx, requestId, volunteer)
              .compose(offerId -> MatchStore.rejectMatch(tx, requestId, volunteer, reason)
                  .compose(v -> RequestStore.recordChange(tx, requestId, actor, RequestStatus.MATCHED,
                      RequestStatus.OPEN, "the resident declined the proposed volunteer: " + reason))
                  .compose(v -> MatchStore.withdrawReminders(tx, requestId))
                  .compose(v -> offerId.isEmpty() ? Future.succeededFuture() : outbox.enqueue(tx, volunteer,
                      PushKind.OFFER_WITHDRAWN, false,
                      Map.of(PushRef.OFFER, offerId.get(), PushRef.REQUEST, requestId), params(request)).mapEmpty()));
        })))
        .compose(v -> runDue(requestId));
  }

  /**
   * What a withdrawal (cancel, referral) means for matching, inside the caller's transaction: open offers are
   * withdrawn, a matched volunteer is told, reminders are dropped and the matcher's timer is cleared.
   */
  public Future<Void> withdrawn(SqlConnection tx, HelpRequest request, RequestStatus from) {
    Future<Void> matchedVolunteer = from == RequestStatus.MATCHED && request.volunteerId() != null
        ? MatchStore.acceptedOffer(tx, request.id(), request.volunteerId())
            .compose(offerId -> offerId.isEmpty() ? Future.succeededFuture() : outbox.enqueue(tx,
                request.volunteerId(), PushKind.OFFER_WITHDRAWN, false,
                Map.of(PushRef.OFFER, offerId.get(), PushRef.REQUEST, request.id()), params(request)).mapEmpty())
        : Future.succeededFuture();
    return matchedVolunteer
        .compose(v -> closeOffers(tx, request, "withdrawn", PushKind.OFFER_WITHDRAWN))
        .compose(v -> MatchStore.withdrawReminders(tx, request.id()))
        .compose(v -> MatchStore.setDue(tx, request.id(), null));
  }

  /**
   * Sends a request back to matching from scratch, inside the caller's transaction (its row locked by the caller):
   * a matched volunteer is released (their accepted offer becomes {@code withdrawn}, they get
   * {@code offer_withdrawn} when {@code tellVolunteer}, planned weekly visits are dropped), pending offers are
   * withdrawn with a push each, reminders are withdrawn, and the request is open at round 0, due now. The caller
   * runs {@link #runDue} after commit. {@code request} is the state before the change (the pushes name its time).
   */
  public Future<Void> reopen(SqlConnection tx, HelpRequest request, UUID actor, String reason, boolean tellVolunteer) {
    UUID volunteer = request.volunteerId();
    Future<Void> released = request.status() == RequestStatus.MATCHED && volunteer != null
        ? MatchStore.acceptedOffer(tx, request.id(), volunteer)
            .compose(offerId -> offerId.isEmpty() ? Future.succeededFuture() : MatchStore.withdrawOffer(tx, offerId.get())
                .compose(v -> tellVolunteer ? outbox.enqueue(tx, volunteer, PushKind.OFFER_WITHDRAWN, false,
                    Map.of(PushRef.OFFER, offerId.get(), PushRef.REQUEST, request.id()), params(request)).mapEmpty()
                    : Future.succeededFuture()))
            .compose(v -> MatchStore.dropPlannedOccurrences(tx, request.id()))
        : Future.succeededFuture();
    return released
        .compose(v -> closeOffers(tx, request, "withdrawn", PushKind.OFFER_WITHDRAWN))
        .compose(v -> MatchStore.withdrawReminders(tx, request.id()))
        .compose(v -> MatchStore.reopen(tx, request.id()))
        .compose(v -> RequestStore.recordChange(tx, request.id(), actor, request.status(), RequestStatus.OPEN, reason));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Ambassadors

  /**
   * Assigns a volunteer by hand (overrides the rounds), audited. The volunteer need not pass every rule (the
   * ambassador may know better), but must be a volunteer; the stored breakdown says it was manual.
   */
  public Future<Void> assign(UUID actor, UUID requestId, UUID volunteer, String reason) {
    Optional<VolunteerCard> card = volunteers.get(volunteer);
    if (card.isEmpty()) {
      return Future.failedFuture(new DomainException.NotFound("Volunteer"));
    }
    return pool.withTransaction(tx -> MatchStore.lock(tx, requestId)
        .compose(locked -> RequestStore.find(tx, requestId).compose(found -> {
          HelpRequest request = found.orElseThrow();
          RequestStatus from = request.status();
          if (from != RequestStatus.OPEN && from != RequestStatus.OFFERED && from != RequestStatus.ESCALATED) {
            return Future.failedFuture(new DomainException.Conflict("illegal-transition",
                "A " + from.wire() + " request cannot be assigned."));
          }
          CandidateQuery query = CandidateQuery.of(request, config.radiusMeters(request.kind(),
              Math.max(1, locked.orElseThrow().round())), config.vogValidity());
          double distance = Distances.haversineMeters(request.lat(), request.lon(), card.get().lat(), card.get().lon());
          Score score = Score.of(config, query, card.get(), distance, false, 0);
          JsonObject breakdown = score.toJson(config).put("manual", true).put("assignedBy", actor.toString());
          String whyNot = query.whyNot(card.get(), distance);
          if (whyNot != null) {
            breakdown.put("overrode", whyNot);
          }
          return MatchStore.upsertAccepted(tx, requestId, volunteer, locked.orElseThrow().round(), score, breakdown)
              .compose(v -> MatchStore.setMatched(tx, requestId, volunteer))
              .compose(v -> RequestStore.recordChange(tx, requestId, actor, from, RequestStatus.MATCHED,
                  "assigned by hand: " + reason))
              .compose(v -> MatchStore.audit(tx, requestId, actor, "assign", volunteer, reason))
              .compose(v -> matched(tx, request, volunteer));
        })));
  }

  /** Sends a request on to the buurtteam (professional care), audited; offers are withdrawn. */
  public Future<Void> refer(UUID actor, UUID requestId, String reason) {
    return pool.withTransaction(tx -> MatchStore.lock(tx, requestId)
        .compose(locked -> RequestStore.find(tx, requestId).compose(found -> {
          HelpRequest request = found.orElseThrow();
          RequestStatus from = request.status();
          if (!RequestStatus.allowedFrom(RequestStatus.REFERRED).contains(from)) {
            return Future.failedFuture(new DomainException.Conflict("illegal-transition",
                "A " + from.wire() + " request cannot be referred."));
          }
          return MatchStore.setStatus(tx, requestId, RequestStatus.REFERRED, null)
              .compose(v -> RequestStore.recordChange(tx, requestId, actor, from, RequestStatus.REFERRED,
                  "sent on to the buurtteam: " + reason))
              .compose(v -> MatchStore.audit(tx, requestId, actor, "refer_buurtteam", null, reason))
              .compose(v -> withdrawn(tx, request, from));
        })));
  }
}
