package nl.omzien.matching;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import nl.omzien.db.Ids;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStatus;
import nl.omzien.requests.RequestStore;

/** SQL for offers, rounds and matches. Every method runs on the caller's client (usually its transaction). */
final class MatchStore {
  /**
   * Locks by primary key only. With {@code and next_round_at is not null} in the WHERE clause the planner chose the
   * partial index {@code help_request_due} whenever its statistics were older than the timers (analyzed when few were
   * set), and then read every set timer to find one id: ~5,000 buffers and 2-12 ms per round under load instead of 4.
   * A row without a timer is locked for the moment its (empty) transaction lasts; nobody waits for it (skip locked).
   */
  static final String LOCK_DUE = """
      select status, round, next_round_at is not null as timed, coalesce(next_round_at <= now(), false) as due,
             now() as db_now
        from help_request where id = $1
         for no key update skip locked
      """;
  private static final String LOCK = "select status, round, now() as db_now from help_request where id = $1 for no key update";
  private static final String DUE = """
      select id from help_request where next_round_at <= now() and status in ('open', 'offered', 'escalated')
       order by next_round_at limit $1
      """;
  /** Whom this request asked already (an offer that was not filled or withdrawn) and whom its resident declined. */
  private static final String ASKED = """
      select volunteer_id, false as excluded from offer
       where request_id = $1 and status not in ('filled', 'withdrawn')
      union all
      select volunteer_id, true from match_exclusion where request_id = $1
      """;
  /**
   * A new request in one statement: the request, its windows, its history and, when its first round was planned
   * ($18 > 0), that round's offers and the history entry open -> offered ($20). Without a round it is open and due
   * now ($19 null). Nothing at all is written when this creator already used the idempotency key, or the id exists
   * (an earlier attempt of this very call that committed). The history rows keep their order (created, offered)
   * through the ids the sorted select gives them; the windows are read back as {@code RequestStore} reads them.
   */
  private static final String INSERT_REQUEST = """
      with request as (
        insert into help_request (id, resident_id, created_by, proxy_consent, kind, urgency, details, note, lat, lon,
                                  buurt_code, wijk_code, first_starts_at, idempotency_key, status, round,
                                  first_offer_at, next_round_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                case when $18::int > 0 then 'offered' else 'open' end, $18::int,
                case when $18::int > 0 then now() end, coalesce($19::timestamptz, now()))
        on conflict do nothing
        returning *
      ), windows as (
        insert into help_request_window (request_id, starts_at, ends_at)
        select request.id, w.starts_at, w.ends_at
          from request, unnest($15::timestamptz[], $16::timestamptz[]) as w (starts_at, ends_at)
      ), history as (
        insert into help_request_history (request_id, actor_id, from_status, to_status, reason)
        select request.id, h.actor_id, h.from_status, h.to_status, h.reason
          from request, (values (1, $3::uuid, null::text, 'open', $17::text),
                                (2, null::uuid, 'open', 'offered', $20::text)) as h (n, actor_id, from_status, to_status, reason)
         where h.reason is not null
         order by h.n
      ), offers as (
        insert into offer (id, request_id, volunteer_id, round, score, breakdown, distance_m)
        select o.id, request.id, o.volunteer_id, request.round, o.score, o.breakdown::jsonb, o.distance_m
          from request, unnest($21::uuid[], $22::uuid[], $23::float8[], $24::text[], $25::int[])
                        as o (id, volunteer_id, score, breakdown, distance_m)
      )
      select request.*,
             (select json_agg(json_build_object('start', w.starts_at, 'end', w.ends_at) order by w.starts_at)
                from unnest($15::timestamptz[], $16::timestamptz[]) as w (starts_at, ends_at)) as windows
        from request
      """;
  /** A round's offers in one statement: one array per column. */
  private static final String INSERT_OFFERS = """
      insert into offer (id, request_id, volunteer_id, round, score, breakdown, distance_m)
      select id, $2, volunteer_id, $3, score, breakdown::jsonb, distance_m
        from unnest($1::uuid[], $4::uuid[], $5::float8[], $6::text[], $7::int[])
             as o (id, volunteer_id, score, breakdown, distance_m)
      on conflict (request_id, volunteer_id) do update
         set status = 'pending', round = excluded.round, score = excluded.score, breakdown = excluded.breakdown,
             distance_m = excluded.distance_m, created_at = now(), responded_at = null
       where offer.status in ('filled', 'withdrawn')
      returning id, volunteer_id
      """;
  // The history entry of the first round (open -> offered) goes with it when $4 (its reason) is not null.
  private static final String SET_OFFERED = """
      with recorded as (
        insert into help_request_history (request_id, actor_id, from_status, to_status, reason)
        select $1, null, 'open', 'offered', $4::text where $4::text is not null
      )
      update help_request set status = 'offered', round = $2, first_offer_at = coalesce(first_offer_at, now()),
                              next_round_at = $3, updated_at = now()
       where id = $1
      """;
  private static final String SET_STATUS = """
      update help_request set status = $2, next_round_at = $3, updated_at = now() where id = $1
      """;
  private static final String SET_DUE = "update help_request set next_round_at = $2 where id = $1";
  private static final String PENDING = "select count(*)::int from offer where request_id = $1 and status = 'pending'";
  static final String CLOSE_OFFERS = """
      update offer set status = $2, responded_at = now() where request_id = $1 and status = 'pending'
      returning id, volunteer_id
      """;
  private static final String AMBASSADORS = """
      select id from app_user where 'ambassador' = any (roles) and $1 = any (wijken) and deleted_at is null
      """;
  /**
   * The one conditional update that decides who wins an accept race, and in the same statement the offer taken
   * (only while still pending: the update may have waited for the request's lock, and PostgreSQL re-checks the
   * request row then, not the joined offer row). It also answers the offer's state as of the statement's start,
   * which tells most losers why at once.
   */
  private static final String ACCEPT = """
      with won as (
        update help_request r
           set status = 'matched', volunteer_id = o.volunteer_id, matched_at = now(), next_round_at = null,
               updated_at = now()
          from offer o
         where o.id = $1 and o.volunteer_id = $2 and o.status = 'pending' and r.id = o.request_id
           and r.status in ('open', 'offered', 'escalated')
        returning r.id
      ), taken as (
        update offer set status = 'accepted', responded_at = now(), decline_reason = null
         where id = $1 and volunteer_id = $2 and status = 'pending' and exists (select 1 from won)
        returning request_id
      )
      select (select id from won) as won, (select request_id from taken) as taken,
             o.status as offer_status, o.request_id, r.status as request_status
        from (values (1)) as one (x)
             left join (offer o join help_request r on r.id = o.request_id) on o.id = $1 and o.volunteer_id = $2
      """;
  private static final String OFFER_STATE = """
      select o.status as offer_status, o.request_id, r.status as request_status
        from offer o join help_request r on r.id = o.request_id
       where o.id = $1 and o.volunteer_id = $2
      """;
  private static final String SET_OFFER = """
      update offer set status = $3, responded_at = now(), decline_reason = $4
       where id = $1 and volunteer_id = $2 and status = 'pending'
      returning request_id
      """;
  private static final String UPSERT_ACCEPTED = """
      insert into offer (id, request_id, volunteer_id, round, score, breakdown, distance_m, status, responded_at)
      values ($1, $2, $3, $4, $5, $6, $7, 'accepted', now())
      on conflict (request_id, volunteer_id) do update set status = 'accepted', responded_at = now()
      """;
  private static final String SET_MATCHED = """
      update help_request set status = 'matched', volunteer_id = $2, matched_at = now(), next_round_at = null,
                              updated_at = now()
       where id = $1
      """;
  private static final String REJECT_MATCH = """
      update offer set status = 'rejected', responded_at = now() where request_id = $1 and volunteer_id = $2
      """;
  private static final String REOPEN = """
      update help_request set status = 'open', volunteer_id = null, matched_at = null, round = 0,
                              next_round_at = now(), updated_at = now()
       where id = $1
      """;
  private static final String EXCLUDE = """
      insert into match_exclusion (request_id, volunteer_id, reason) values ($1, $2, $3) on conflict do nothing
      """;
  private static final String COMPLETE = """
      update help_request set status = 'completed', completed_at = now(), hours_spent = $3, next_round_at = null,
                              updated_at = now()
       where id = $1 and volunteer_id = $2 and status = 'matched'
      returning id
      """;
  private static final String WITHDRAW_REMINDERS = """
      update push_outbox set status = 'suppressed', last_error = 'withdrawn'
       where request_id = $1 and kind = 'appointment_reminder' and status = 'pending'
      """;
  static final String ESCALATED_WAITING = """
      select count(*)::int from help_request where wijk_code = $1 and status = 'escalated'
      """;
  private static final String ACCEPTED_OFFER = """
      select id from offer where request_id = $1 and volunteer_id = $2 and status = 'accepted'
      """;
  private static final String INSERT_OCCURRENCE = """
      insert into request_occurrence (request_id, starts_at, ends_at, volunteer_id) values ($1, $2, $3, $4)
      on conflict (request_id, starts_at) do nothing
      """;
  private static final String LOCK_OCCURRENCE = """
      select o.starts_at, o.ends_at from request_occurrence o
       where o.request_id = $1 and o.volunteer_id = $2 and o.status = 'planned'
         and (o.starts_at at time zone 'Europe/Amsterdam')::date = $3
       for update
      """;
  private static final String REMATCH_OCCURRENCE = """
      update request_occurrence set status = 'rematching', replacement_id = $3 where request_id = $1 and starts_at = $2
      """;
  private static final String INSERT_CHILD = """
      insert into help_request (id, resident_id, created_by, kind, urgency, details, note, lat, lon, buurt_code,
                                wijk_code, first_starts_at, next_round_at, parent_id)
      select $2, resident_id, $3, kind, urgency, details - 'recurrence', note, lat, lon, buurt_code, wijk_code, $4,
             now(), id
        from help_request where id = $1
      """;
  private static final String INSERT_CHILD_WINDOW = """
      insert into help_request_window (request_id, starts_at, ends_at) values ($1, $2, $3)
      """;
  private static final String OCCURRENCES = """
      select o.starts_at, o.ends_at, o.status, o.replacement_id, u.display_name
        from request_occurrence o left join app_user u on u.id = o.volunteer_id
       where o.request_id = $1 order by o.starts_at limit 1000
      """;
  private static final String WITHDRAW_OFFER = """
      update offer set status = 'withdrawn', responded_at = now() where id = $1
      """;
  private static final String DROP_PLANNED = """
      delete from request_occurrence where request_id = $1 and status = 'planned'
      """;
  private static final String CARERS = "select carer_id from care_relation where cared_for_id = $1";
  private static final String AUDIT = """
      insert into manual_action (request_id, actor_id, action, volunteer_id, reason) values ($1, $2, $3, $4, $5)
      """;

  private MatchStore() {
  }

  /** A request row locked for a round. */
  record Locked(RequestStatus status, int round, boolean due, Instant now) {
  }

  /** Locks a request whose matcher timer is set, skipping it if another worker holds it. */
  static Future<Optional<Locked>> lockDue(SqlClient tx, UUID id) {
    return tx.preparedQuery(LOCK_DUE).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      if (!row.getBoolean("timed")) {
        return Optional.empty();
      }
      return Optional.of(new Locked(RequestStatus.fromWire(row.getString("status")), row.getInteger("round"),
          Boolean.TRUE.equals(row.getBoolean("due")), row.getOffsetDateTime("db_now").toInstant()));
    });
  }

  /** Locks a request (waiting for other writers). */
  static Future<Optional<Locked>> lock(SqlClient tx, UUID id) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new Locked(RequestStatus.fromWire(row.getString("status")), row.getInteger("round"), true,
          row.getOffsetDateTime("db_now").toInstant()));
    });
  }

  static Future<List<UUID>> due(SqlClient client, int limit) {
    return client.preparedQuery(DUE).execute(Tuple.of(limit)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** Whom a request asked already, and whom its resident declined (see {@link #ASKED}). */
  record Asked(Set<UUID> offered, Set<UUID> excluded) {
    static final Asked NOBODY = new Asked(Set.of(), Set.of());
  }

  static Future<Asked> asked(SqlClient client, UUID requestId) {
    return client.preparedQuery(ASKED).execute(Tuple.of(requestId)).map(rows -> {
      Set<UUID> offered = new HashSet<>();
      Set<UUID> excluded = new HashSet<>();
      rows.forEach(row -> (row.getBoolean("excluded") ? excluded : offered).add(row.getUUID("volunteer_id")));
      return new Asked(offered, excluded);
    });
  }

  /** An offer to make: its new id, to whom, and why (the score and its breakdown). */
  record NewOffer(UUID id, UUID volunteerId, Score score, JsonObject breakdown) {
  }

  /**
   * Writes a new request (see {@link #INSERT_REQUEST}): open and due now when {@code round} is 0, otherwise offered
   * in that round with {@code offers}, its timer at {@code nextRoundAt} and {@code offeredReason} in its history.
   * Empty when nothing was written (the idempotency key or the id was already used).
   */
  static Future<Optional<HelpRequest>> insertRequest(SqlClient client, RequestStore.NewRequest request, int round,
                                                     Instant nextRoundAt, String offeredReason, List<NewOffer> offers) {
    Columns o = Columns.of(offers);
    Tuple params = Tuple.from(new Object[] {request.id(), request.residentId(), request.createdBy(),
        request.proxyConsent(), request.kind(), request.urgency(), request.details(), request.note(), request.lat(),
        request.lon(), request.buurtCode(), request.wijkCode(), request.windows().get(0).start(),
        request.idempotencyKey(),
        request.windows().stream().map(HelpRequest.Window::start).toArray(OffsetDateTime[]::new),
        request.windows().stream().map(HelpRequest.Window::end).toArray(OffsetDateTime[]::new),
        request.createdReason(), round, utc(nextRoundAt), offeredReason,
        o.ids, o.volunteers, o.scores, o.breakdowns, o.distances});
    return client.preparedQuery(INSERT_REQUEST).execute(params).map(rows -> rows.size() == 0
        ? Optional.<HelpRequest>empty() : Optional.of(RequestStore.toRequest(rows.iterator().next())));
  }

  /** Offers as one array per column, for the statements that insert them with {@code unnest}. */
  private record Columns(UUID[] ids, UUID[] volunteers, Double[] scores, String[] breakdowns, Integer[] distances) {
    static Columns of(List<NewOffer> offers) {
      int n = offers.size();
      Columns c = new Columns(new UUID[n], new UUID[n], new Double[n], new String[n], new Integer[n]);
      for (int i = 0; i < n; i++) {
        NewOffer offer = offers.get(i);
        c.ids[i] = offer.id();
        c.volunteers[i] = offer.volunteerId();
        c.scores[i] = offer.score().total();
        c.breakdowns[i] = offer.breakdown().encode();
        c.distances[i] = offer.score().distanceMeters();
      }
      return c;
    }
  }

  /**
   * Makes a round's offers in one statement, once per volunteer and request: an offer that was only closed
   * because someone else took the request (filled) or it was withdrawn is opened again (the resident may have
   * declined the match); one this volunteer answered is left alone. Answers, per volunteer whose offer is (again)
   * pending, its id (the existing offer's id when it was opened again).
   */
  static Future<Map<UUID, UUID>> insertOffers(SqlClient tx, UUID requestId, int round, List<NewOffer> offers) {
    if (offers.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Columns o = Columns.of(offers);
    return tx.preparedQuery(INSERT_OFFERS)
        .execute(Tuple.tuple().addArrayOfUUID(o.ids).addUUID(requestId).addInteger(round).addArrayOfUUID(o.volunteers)
            .addArrayOfDouble(o.scores).addArrayOfString(o.breakdowns).addArrayOfInteger(o.distances))
        .map(rows -> {
          Map<UUID, UUID> made = new HashMap<>();
          rows.forEach(row -> made.put(row.getUUID("volunteer_id"), row.getUUID("id")));
          return made;
        });
  }

  /**
   * The round ran: offered, its number, when the matcher acts next; with {@code openReason} (not null) when the
   * request was open, the history entry open -> offered is written in the same statement.
   */
  static Future<Void> setOffered(SqlClient tx, UUID id, int round, Instant nextRoundAt, String openReason) {
    return tx.preparedQuery(SET_OFFERED).execute(Tuple.of(id, round, utc(nextRoundAt), openReason)).mapEmpty();
  }

  static Future<Void> setStatus(SqlClient tx, UUID id, RequestStatus status, Instant nextRoundAt) {
    return tx.preparedQuery(SET_STATUS).execute(Tuple.of(id, status.wire(), utc(nextRoundAt))).mapEmpty();
  }

  static Future<Void> setDue(SqlClient tx, UUID id, Instant nextRoundAt) {
    return tx.preparedQuery(SET_DUE).execute(Tuple.of(id, utc(nextRoundAt))).mapEmpty();
  }

  static Future<Integer> pendingOffers(SqlClient tx, UUID requestId) {
    return tx.preparedQuery(PENDING).execute(Tuple.of(requestId)).map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Closes every pending offer of a request with {@code status}; returns (offer id, volunteer id) pairs. */
  static Future<List<UUID[]>> closeOffers(SqlClient tx, UUID requestId, String status) {
    return tx.preparedQuery(CLOSE_OFFERS).execute(Tuple.of(requestId, status)).map(rows -> {
      List<UUID[]> closed = new ArrayList<>();
      rows.forEach(row -> closed.add(new UUID[] {row.getUUID("id"), row.getUUID("volunteer_id")}));
      return closed;
    });
  }

  static Future<List<UUID>> ambassadors(SqlClient tx, String wijk) {
    return tx.preparedQuery(AMBASSADORS).execute(Tuple.of(wijk)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /**
   * The accept race's outcome: {@code won} is the request id when this volunteer won it, {@code taken} the request
   * id when their offer was also still pending (it is taken then); otherwise {@code before} is the offer's state as
   * of the attempt's start (empty: no such offer of theirs), which a concurrent change may have moved since.
   */
  record Accepted(Optional<UUID> won, Optional<UUID> taken, Optional<OfferState> before) {
  }

  static Future<Accepted> accept(SqlClient tx, UUID offerId, UUID volunteerId) {
    return tx.preparedQuery(ACCEPT).execute(Tuple.of(offerId, volunteerId)).map(rows -> {
      Row row = rows.iterator().next();
      return new Accepted(Optional.ofNullable(row.getUUID("won")), Optional.ofNullable(row.getUUID("taken")),
          row.getString("offer_status") == null ? Optional.empty()
              : Optional.of(new OfferState(row.getString("offer_status"), row.getUUID("request_id"),
                  RequestStatus.fromWire(row.getString("request_status")))));
    });
  }

  /** An offer's state as its volunteer sees it. */
  record OfferState(String offerStatus, UUID requestId, RequestStatus requestStatus) {
  }

  static Future<Optional<OfferState>> offerState(SqlClient client, UUID offerId, UUID volunteerId) {
    return client.preparedQuery(OFFER_STATE).execute(Tuple.of(offerId, volunteerId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new OfferState(row.getString("offer_status"), row.getUUID("request_id"),
          RequestStatus.fromWire(row.getString("request_status"))));
    });
  }

  /** Answers a pending offer; the request id, or empty when it was not pending (or not theirs). */
  static Future<Optional<UUID>> answerOffer(SqlClient tx, UUID offerId, UUID volunteerId, String status,
                                            String reason) {
    return tx.preparedQuery(SET_OFFER).execute(Tuple.of(offerId, volunteerId, status, reason))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID("request_id")));
  }

  static Future<Void> upsertAccepted(SqlClient tx, UUID requestId, UUID volunteerId, int round, Score score,
                                     JsonObject breakdown) {
    return tx.preparedQuery(UPSERT_ACCEPTED).execute(Tuple.of(Ids.next(), requestId, volunteerId,
        Math.max(round, 0), score.total(), breakdown, score.distanceMeters())).mapEmpty();
  }

  static Future<Void> setMatched(SqlClient tx, UUID requestId, UUID volunteerId) {
    return tx.preparedQuery(SET_MATCHED).execute(Tuple.of(requestId, volunteerId)).mapEmpty();
  }

  static Future<Void> rejectMatch(SqlClient tx, UUID requestId, UUID volunteerId, String reason) {
    return tx.preparedQuery(REJECT_MATCH).execute(Tuple.of(requestId, volunteerId))
        .compose(done -> exclude(tx, requestId, volunteerId, reason))
        .compose(done -> tx.preparedQuery(REOPEN).execute(Tuple.of(requestId)))
        .mapEmpty();
  }

  /** Back to matching from scratch: open, no volunteer, round 0, due now. */
  static Future<Void> reopen(SqlClient tx, UUID requestId) {
    return tx.preparedQuery(REOPEN).execute(Tuple.of(requestId)).mapEmpty();
  }

  static Future<Void> withdrawOffer(SqlClient tx, UUID offerId) {
    return tx.preparedQuery(WITHDRAW_OFFER).execute(Tuple.of(offerId)).mapEmpty();
  }

  /** Drops the planned (not yet re-matched) visits of a weekly request. */
  static Future<Void> dropPlannedOccurrences(SqlClient tx, UUID requestId) {
    return tx.preparedQuery(DROP_PLANNED).execute(Tuple.of(requestId)).mapEmpty();
  }

  /** The mantelzorgers registered for a resident. */
  static Future<List<UUID>> carersOf(SqlClient tx, UUID residentId) {
    return tx.preparedQuery(CARERS).execute(Tuple.of(residentId)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("carer_id")));
      return ids;
    });
  }

  static Future<Boolean> complete(SqlClient tx, UUID requestId, UUID volunteerId, double hours) {
    return tx.preparedQuery(COMPLETE).execute(Tuple.of(requestId, volunteerId, java.math.BigDecimal.valueOf(hours)))
        .map(rows -> rows.size() == 1);
  }

  static Future<Void> withdrawReminders(SqlClient tx, UUID requestId) {
    return tx.preparedQuery(WITHDRAW_REMINDERS).execute(Tuple.of(requestId)).mapEmpty();
  }

  static Future<Void> audit(SqlClient tx, UUID requestId, UUID actor, String action, UUID volunteerId, String reason) {
    return tx.preparedQuery(AUDIT).execute(Tuple.of(requestId, actor, action, volunteerId, reason)).mapEmpty();
  }

  static Future<Integer> escalatedWaiting(SqlClient tx, String wijk) {
    return tx.preparedQuery(ESCALATED_WAITING).execute(Tuple.of(wijk)).map(rows -> rows.iterator().next().getInteger(0));
  }

  static Future<Optional<UUID>> acceptedOffer(SqlClient tx, UUID requestId, UUID volunteerId) {
    return tx.preparedQuery(ACCEPTED_OFFER).execute(Tuple.of(requestId, volunteerId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID("id")));
  }

  static Future<Void> insertOccurrences(SqlClient tx, List<Tuple> occurrences) {
    return occurrences.isEmpty() ? Future.succeededFuture()
        : tx.preparedQuery(INSERT_OCCURRENCE).executeBatch(occurrences).mapEmpty();
  }

  /** The volunteer's planned occurrence of a request on a local date, locked; (start, end) or empty. */
  static Future<Optional<OffsetDateTime[]>> lockOccurrence(SqlClient tx, UUID requestId, UUID volunteer,
                                                           java.time.LocalDate date) {
    return tx.preparedQuery(LOCK_OCCURRENCE).execute(Tuple.of(requestId, volunteer, date)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(new OffsetDateTime[] {rows.iterator().next().getOffsetDateTime("starts_at"),
            rows.iterator().next().getOffsetDateTime("ends_at")}));
  }

  /** A one-off request for one occurrence of a recurring one, due for matching at once. */
  static Future<Void> insertReplacement(SqlClient tx, UUID parentId, UUID childId, UUID actor, OffsetDateTime start,
                                        OffsetDateTime end) {
    return tx.preparedQuery(INSERT_CHILD).execute(Tuple.of(parentId, childId, actor, start))
        .compose(v -> tx.preparedQuery(INSERT_CHILD_WINDOW).execute(Tuple.of(childId, start, end)))
        .compose(v -> tx.preparedQuery(REMATCH_OCCURRENCE).execute(Tuple.of(parentId, start, childId)))
        .mapEmpty();
  }

  static Future<Void> exclude(SqlClient tx, UUID requestId, UUID volunteerId, String reason) {
    return tx.preparedQuery(EXCLUDE).execute(Tuple.of(requestId, volunteerId, reason)).mapEmpty();
  }

  static Future<List<Row>> occurrences(SqlClient client, UUID requestId) {
    return client.preparedQuery(OCCURRENCES).execute(Tuple.of(requestId)).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
