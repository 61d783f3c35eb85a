package nl.omzien.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import nl.omzien.auth.UserDirectory;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.GeoPoint;
import nl.omzien.matching.Matcher;
import nl.omzien.matching.VolunteerIndex;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStatus;
import nl.omzien.requests.RequestStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases a person (AVG/GDPR art. 17) in one transaction, keeping what the figures count without who it was:
 * <ul>
 *   <li>{@code app_user}: name and phone blanked, language, external subject and wijken cleared, {@code deleted_at}
 *       set; the row stays (its id is what requests, offers and hours refer to);</li>
 *   <li>home and volunteer profile (with availability) deleted, devices deleted, undelivered pushes deleted,
 *       future activity sign-ups cancelled (seats freed), organisation memberships and care relations removed;</li>
 *   <li>open requests (open, offered, matched, escalated) cancelled with the matcher's withdrawal, so offered and
 *       matched volunteers are told ({@code offer_withdrawn}) and reminders dropped;</li>
 *   <li>every request of theirs keeps kind, status, wijk, buurt, times and hours, but loses the note, addresses,
 *       place names, health details (mobility, respite needs, interests) and free-text reasons; its point moves
 *       to the centroid of its buurt;</li>
 *   <li>as a volunteer: pending offers are withdrawn; a task they were matched to goes back to matching at once
 *       (its resident is not left waiting for someone who is gone); completed tasks keep their hours;</li>
 *   <li>feedback they gave, and feedback about their requests, keeps its rating but loses its comment.</li>
 * </ul>
 * People they registered as cared for, and whom nobody else cares for, are erased with them: those people have
 * no login and nobody else could manage or correct their data.
 */
final class Erasure {
  private static final Logger LOG = LoggerFactory.getLogger(Erasure.class);
  /** What stands where an address was (the contract requires an address in a stored ride). */
  static final String REMOVED = "(verwijderd)";

  private static final String LOCK_USER = "select id from app_user where id = $1 and deleted_at is null for update";
  private static final String ORPHANS = """
      select c.cared_for_id from care_relation c
       where c.carer_id = $1
         and not exists (select 1 from care_relation o where o.cared_for_id = c.cared_for_id and o.carer_id <> $1)
      """;
  private static final String OPEN_REQUESTS = """
      select id from help_request where resident_id = $1 and status in ('open', 'offered', 'matched', 'escalated')
       order by id for update
      """;
  private static final String CANCEL = """
      update help_request set status = 'cancelled', updated_at = now() where id = $1
      """;
  private static final String MATCHED_TASKS = """
      select id from help_request where volunteer_id = $1 and status = 'matched' order by id for no key update
      """;
  private static final String WITHDRAW_OFFERS_TO = """
      update offer set status = 'withdrawn', responded_at = now(), decline_reason = null
       where volunteer_id = $1 and status = 'pending'
      """;
  private static final String REQUESTS_OF = "select id from help_request where resident_id = $1";
  private static final String SCRUB_REQUEST = """
      update help_request set note = null, details = $2, lat = $3, lon = $4, updated_at = now() where id = $1
      """;
  private static final String SCRUB_HISTORY = """
      update help_request_history set reason = null where request_id = any ($1) and actor_id is not null
      """;
  private static final String SCRUB_MANUAL = "update manual_action set reason = $2 where request_id = any ($1)";
  private static final String SCRUB_EXCLUSIONS = "update match_exclusion set reason = null where request_id = any ($1)";
  private static final String SCRUB_DECLINES = "update offer set decline_reason = null where volunteer_id = $1";
  private static final String SCRUB_FEEDBACK_ABOUT = "update feedback set comment = null where request_id = any ($1)";
  private static final String SCRUB_FEEDBACK_BY = "update feedback set comment = null, author_id = null where author_id = $1";
  private static final String DELETE_DEVICES = "delete from push_device where user_id = $1";
  private static final String DELETE_IDEMPOTENCY_KEYS = "delete from idempotency_key where user_id = $1";
  // A row being sent right now belongs to a worker's claim; it carries ids only and is delivered to no device.
  private static final String DELETE_PUSHES = "delete from push_outbox where user_id = $1 and status <> 'sending'";
  private static final String CANCEL_SIGNUPS = """
      with cancelled as (
        update activity_signup set status = 'cancelled', cancelled_at = now()
         where user_id = $1 and status = 'active' and occurs_on >= (now() at time zone 'Europe/Amsterdam')::date
        returning activity_id, occurs_on)
      update activity_occurrence o set taken = o.taken - 1
        from cancelled c where o.activity_id = c.activity_id and o.occurs_on = c.occurs_on and o.taken > 0
      """;
  private static final String DELETE_HOME = "delete from resident_profile where user_id = $1";
  private static final String DELETE_VOLUNTEER = "delete from volunteer_profile where user_id = $1";
  private static final String DELETE_MEMBERSHIPS = "delete from organisation_member where user_id = $1";
  private static final String DELETE_RELATIONS = "delete from care_relation where carer_id = $1 or cared_for_id = $1";
  private static final String ANONYMISE = """
      update app_user set display_name = '', phone = null, language = null, external_subject = null, wijken = '{}',
                          deleted_at = now(), updated_at = now()
       where id = $1
      """;

  private final Pool pool;
  private final AreaIndex areas;
  private final Matcher matcher;
  private final VolunteerIndex volunteers;
  private final UserDirectory directory;

  Erasure(Pool pool, AreaIndex areas, Matcher matcher, VolunteerIndex volunteers, UserDirectory directory) {
    this.pool = pool;
    this.areas = areas;
    this.matcher = matcher;
    this.volunteers = volunteers;
    this.directory = directory;
  }

  /** What an erasure touched, for the follow-up after commit. */
  private record Outcome(List<UUID> people, List<UUID> rematch) {
  }

  /** Erases {@code person} (and the people only they cared for); true when there was someone to erase. */
  Future<Boolean> erase(UUID person) {
    Outcome outcome = new Outcome(new ArrayList<>(), new ArrayList<>());
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_USER).execute(Tuple.of(person))
            .compose(locked -> {
              if (locked.size() == 0) {
                return Future.succeededFuture(false);
              }
              return ids(tx, ORPHANS, person)
                  .compose(orphans -> {
                    outcome.people().add(person);
                    outcome.people().addAll(orphans);
                    Future<Void> chain = Future.succeededFuture();
                    for (UUID one : outcome.people()) {
                      chain = chain.compose(v -> eraseOne(tx, person, one, outcome.rematch()));
                    }
                    return chain;
                  })
                  .map(true);
            }))
        .compose(erased -> erased ? afterCommit(outcome).map(true) : Future.succeededFuture(false));
  }

  /** The matching index forgets them, this instance's token cache too, and released tasks are matched again. */
  private Future<Void> afterCommit(Outcome outcome) {
    outcome.people().forEach(directory::forget);
    Future<Void> chain = volunteers.refresh(outcome.people());
    for (UUID request : outcome.rematch()) {
      chain = chain.compose(v -> matcher.runDue(request).recover(failure -> {
        LOG.warn("erasure: re-matching a released task failed; the worker retries it: {}", failure.toString());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  private Future<Void> eraseOne(SqlConnection tx, UUID actor, UUID person, List<UUID> rematch) {
    Tuple me = Tuple.of(person);
    return ids(tx, OPEN_REQUESTS, person)
        .compose(open -> each(open, id -> cancel(tx, actor, id)))
        .compose(v -> ids(tx, MATCHED_TASKS, person))
        .compose(tasks -> each(tasks, id -> RequestStore.find(tx, id)
            .compose(task -> matcher.reopen(tx, task.orElseThrow(), actor,
                "the volunteer's account was deleted; matching starts again", false))
            .map(x -> {
              rematch.add(id);
              return null;
            })))
        .compose(v -> tx.preparedQuery(WITHDRAW_OFFERS_TO).execute(me))
        .compose(v -> ids(tx, REQUESTS_OF, person))
        .compose(requests -> scrubRequests(tx, requests))
        .compose(v -> tx.preparedQuery(SCRUB_DECLINES).execute(me))
        .compose(v -> tx.preparedQuery(SCRUB_FEEDBACK_BY).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_DEVICES).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_IDEMPOTENCY_KEYS).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_PUSHES).execute(me))
        .compose(v -> tx.preparedQuery(CANCEL_SIGNUPS).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_HOME).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_VOLUNTEER).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_MEMBERSHIPS).execute(me))
        .compose(v -> tx.preparedQuery(DELETE_RELATIONS).execute(me))
        .compose(v -> tx.preparedQuery(ANONYMISE).execute(me))
        .mapEmpty();
  }

  /** Cancels an open request the way a resident's cancel does: offers withdrawn (pushed), reminders dropped. */
  private Future<Void> cancel(SqlConnection tx, UUID actor, UUID id) {
    return RequestStore.find(tx, id).compose(found -> {
      HelpRequest request = found.orElseThrow();
      return tx.preparedQuery(CANCEL).execute(Tuple.of(id))
          .compose(v -> RequestStore.recordChange(tx, id, actor, request.status(), RequestStatus.CANCELLED,
              "the resident's account was deleted"))
          .compose(v -> matcher.withdrawn(tx, request, request.status()));
    });
  }

  private Future<Void> scrubRequests(SqlConnection tx, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple all = Tuple.of(ids.toArray(UUID[]::new));
    return each(ids, id -> RequestStore.find(tx, id).compose(found -> {
          HelpRequest request = found.orElseThrow();
          GeoPoint centroid = centroid(request.buurtCode(), request.lat(), request.lon());
          return tx.preparedQuery(SCRUB_REQUEST).execute(Tuple.of(id, scrubbed(request), centroid.lat(),
              centroid.lon())).mapEmpty();
        }))
        .compose(v -> tx.preparedQuery(SCRUB_HISTORY).execute(all))
        .compose(v -> tx.preparedQuery(SCRUB_MANUAL).execute(Tuple.of(ids.toArray(UUID[]::new), REMOVED)))
        .compose(v -> tx.preparedQuery(SCRUB_EXCLUSIONS).execute(all))
        .compose(v -> tx.preparedQuery(SCRUB_FEEDBACK_ABOUT).execute(all))
        .mapEmpty();
  }

  /** The request's details without anything that points at the person: addresses, names, health details. */
  JsonObject scrubbed(HelpRequest request) {
    JsonObject details = request.details().copy();
    switch (request.kind()) {
      case "transport" -> {
        details.put("pickup", place(details.getJsonObject("pickup"), request.buurtCode()));
        details.put("destination", place(details.getJsonObject("destination"), null));
        if (details.containsKey("mobility")) {
          details.put("mobility", new JsonArray());
        }
      }
      case "respite" -> {
        details.put("needs", new JsonArray());
        if (details.containsKey("requiredExperience")) {
          details.put("requiredExperience", new JsonArray());
        }
      }
      default -> details.remove("interests");
    }
    return details;
  }

  /** A place reduced to its buurt: no name, the address replaced, the point moved to the buurt's centroid. */
  private JsonObject place(JsonObject place, String buurtCode) {
    JsonObject location = place.getJsonObject("location");
    double lat = location.getDouble("lat");
    double lon = location.getDouble("lon");
    String buurt = buurtCode != null ? buurtCode : areas.buurtAt(lat, lon).map(AreaIndex.Area::buurtCode).orElse(null);
    GeoPoint centroid = centroid(buurt, lat, lon);
    return new JsonObject()
        .put("address", REMOVED)
        .put("location", new JsonObject().put("lat", centroid.lat()).put("lon", centroid.lon()));
  }

  /** The centroid of a buurt; outside Utrecht's buurten, the point rounded to about a kilometre. */
  private GeoPoint centroid(String buurtCode, double lat, double lon) {
    return areas.buurt(buurtCode).map(AreaIndex.Buurt::centroid)
        .orElseGet(() -> new GeoPoint(Math.round(lat * 100) / 100.0, Math.round(lon * 100) / 100.0));
  }

  private static Future<List<UUID>> ids(SqlConnection tx, String sql, UUID person) {
    return tx.preparedQuery(sql).execute(Tuple.of(person)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      for (Row row : rows) {
        ids.add(row.getUUID(0));
      }
      return ids;
    });
  }

  private static Future<Void> each(List<UUID> ids, java.util.function.Function<UUID, Future<?>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (UUID id : ids) {
      chain = chain.compose(v -> step.apply(id).mapEmpty());
    }
    return chain;
  }
}
