package nl.omzien.activities;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Idempotency;

/**
 * SQL for organisations, members, venues, activities, sessions and sign-ups (prepared statements only).
 * Capacity is kept by a per-session counter row ({@code activity_occurrence}): a sign-up locks that row, and a
 * seat is taken with {@code taken = taken + 1 where taken < capacity}, so concurrent sign-ups never overbook.
 */
public final class ActivityStore {
  private static final String ORGANISATION_COLUMNS = "id, name, kind, created_at";
  private static final String INSERT_ORGANISATION = "insert into organisation (id, name, kind) values ($1, $2, $3)"
      + " returning " + ORGANISATION_COLUMNS;
  private static final String ALL_ORGANISATIONS = "select " + ORGANISATION_COLUMNS
      + " from organisation order by name, id limit 1000";
  private static final String ORGANISATIONS_OF_MEMBER = "select o.id, o.name, o.kind, o.created_at"
      + " from organisation o join organisation_member m on m.organisation_id = o.id"
      + " where m.user_id = $1 order by o.name, o.id limit 1000";
  private static final String FIND_ORGANISATION = "select " + ORGANISATION_COLUMNS + " from organisation where id = $1";
  private static final String IS_MEMBER = "select 1 from organisation_member where user_id = $1 and organisation_id = $2";
  private static final String ADD_MEMBER = "insert into organisation_member (user_id, organisation_id) values ($1, $2)"
      + " on conflict do nothing";
  private static final String REMOVE_MEMBER = "delete from organisation_member where user_id = $1 and organisation_id = $2";

  private static final String VENUE_COLUMNS = "id, organisation_id, name, address, lat, lon, wijk_code, wijk_name,"
      + " buurt_code, buurt_name, created_at";
  private static final String INSERT_VENUE = "insert into venue (id, organisation_id, name, address, lat, lon,"
      + " wijk_code, wijk_name, buurt_code, buurt_name) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
      + " returning " + VENUE_COLUMNS;
  private static final String VENUES_OF = "select " + VENUE_COLUMNS
      + " from venue where organisation_id = $1 order by name, id limit 1000";
  private static final String FIND_VENUE = "select " + VENUE_COLUMNS
      + " from venue where id = $1 and organisation_id = $2";

  private static final String ACTIVITY_COLUMNS = """
      a.id, a.seq, a.version, a.organisation_id, o.name as organisation_name, a.title, a.description, a.category,
      a.schedule_kind, a.starts_at, a.ends_at, a.day_of_week, a.start_time, a.end_time, a.first_date, a.last_date,
      a.price_cents, a.upas_discount, a.wheelchair, a.hearing_loop, a.capacity, a.status, a.created_at, a.updated_at,
      v.id as venue_id, v.name as venue_name, v.address as venue_address, v.lat as venue_lat, v.lon as venue_lon,
      v.wijk_code, v.wijk_name, v.buurt_code, v.buurt_name, v.created_at as venue_created_at
      """;
  private static final String ACTIVITY_JOINS = " join venue v on v.id = a.venue_id"
      + " join organisation o on o.id = a.organisation_id";
  private static final String SELECT_ACTIVITY = "select " + ACTIVITY_COLUMNS + " from activity a" + ACTIVITY_JOINS;
  private static final String FROM_CHANGED = "select " + ACTIVITY_COLUMNS + " from a" + ACTIVITY_JOINS;
  private static final String INSERT_ACTIVITY = """
      with a as (
        insert into activity (id, organisation_id, venue_id, title, description, category, schedule_kind,
                              starts_at, ends_at, day_of_week, start_time, end_time, first_date, last_date,
                              price_cents, upas_discount, wheelchair, hearing_loop, capacity, idempotency_key,
                              created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
        on conflict (organisation_id, idempotency_key) do nothing
        returning *)
      """ + FROM_CHANGED;
  private static final String UPDATE_ACTIVITY = """
      with a as (
        update activity
           set venue_id = $3, title = $4, description = $5, category = $6, schedule_kind = $7, starts_at = $8,
               ends_at = $9, day_of_week = $10, start_time = $11, end_time = $12, first_date = $13, last_date = $14,
               price_cents = $15, upas_discount = $16, wheelchair = $17, hearing_loop = $18, capacity = $19,
               version = version + 1, updated_at = now()
         where id = $1 and organisation_id = $2 and status = 'active'
        returning *)
      """ + FROM_CHANGED;
  private static final String CANCEL_ACTIVITY = """
      with a as (
        update activity set status = 'cancelled', version = version + 1, updated_at = now()
         where id = $1 and organisation_id = $2 and status = 'active'
        returning *)
      """ + FROM_CHANGED;
  private static final String RESIZE_SESSIONS = "update activity_occurrence set capacity = $2"
      + " where activity_id = $1 and occurs_on >= $3";
  private static final String FIND_ACTIVITY = SELECT_ACTIVITY + " where a.id = $1";
  private static final String FIND_ACTIVITY_BY_KEY = SELECT_ACTIVITY
      + " where a.organisation_id = $1 and a.idempotency_key = $2";
  private static final String ACTIVITIES_OF = SELECT_ACTIVITY
      + " where a.organisation_id = $1 order by a.created_at desc, a.id limit 500";
  private static final String ACTIVE_ACTIVITIES = SELECT_ACTIVITY + " where a.status = 'active'";

  private static final String LOCK_ACTIVITY = "select status, capacity from activity where id = $1 for share";
  private static final String ENSURE_SESSION = "insert into activity_occurrence (activity_id, occurs_on, capacity)"
      + " values ($1, $2, $3) on conflict do nothing";
  private static final String LOCK_SESSION = "select taken, capacity from activity_occurrence"
      + " where activity_id = $1 and occurs_on = $2 for update";
  private static final String TAKE_SEAT = "update activity_occurrence set taken = taken + 1"
      + " where activity_id = $1 and occurs_on = $2 and taken < capacity returning taken";
  private static final String RELEASE_SEAT = "update activity_occurrence set taken = taken - 1"
      + " where activity_id = $1 and occurs_on = $2 and taken > 0";
  private static final String SIGNUP_COLUMNS = "s.id, s.activity_id, a.title, s.occurs_on, s.status, s.created_at,"
      + " s.cancelled_at";
  private static final String FIND_OWN_SIGNUP_FOR_SESSION = "select " + SIGNUP_COLUMNS
      + " from activity_signup s join activity a on a.id = s.activity_id"
      + " where s.activity_id = $1 and s.occurs_on = $2 and s.user_id = $3";
  private static final String UPSERT_SIGNUP = """
      with s as (
        insert into activity_signup (id, activity_id, occurs_on, user_id) values ($1, $2, $3, $4)
        on conflict (activity_id, occurs_on, user_id)
          do update set status = 'active', cancelled_at = null, created_at = now()
        returning *)
      select s.id, s.activity_id, a.title, s.occurs_on, s.status, s.created_at, s.cancelled_at
        from s join activity a on a.id = s.activity_id
      """;
  private static final String FIND_OWN_SIGNUP = "select " + SIGNUP_COLUMNS
      + " from activity_signup s join activity a on a.id = s.activity_id where s.id = $1 and s.user_id = $2";
  private static final String CANCEL_SIGNUP = "update activity_signup set status = 'cancelled', cancelled_at = now()"
      + " where id = $1 and status = 'active' returning id";
  private static final String SIGNUPS_OF = "select " + SIGNUP_COLUMNS
      + " from activity_signup s join activity a on a.id = s.activity_id"
      + " where s.user_id = $1 order by s.occurs_on desc, s.created_at desc limit 200";

  private static final String CHECK_VIOLATION = "23514";

  private final Pool pool;
  private ActivityEvents events = ActivityEvents.NONE;

  /** Lets {@code events} act inside the sign-up and cancellation transactions (pushes). */
  public ActivityStore withEvents(ActivityEvents events) {
    this.events = events;
    return this;
  }

  public ActivityStore(Pool pool) {
    this.pool = pool;
  }

  // --- organisations and members ---------------------------------------------------------------------------

  /** Inserts an organisation, once per {@code Idempotency-Key} of {@code createdBy}. */
  public Future<Idempotency.Outcome<Organisation>> createOrganisation(UUID createdBy, String name, String kind,
                                                                     Optional<String> idempotencyKey) {
    return Idempotency.create(pool, createdBy, "createOrganisation", idempotencyKey,
        (tx, id) -> insertOrganisation(tx, id, name, kind),
        (tx, id) -> tx.preparedQuery(FIND_ORGANISATION).execute(Tuple.of(id))
            .map(rows -> first(rows, ActivityStore::toOrganisation)));
  }

  static Future<Organisation> insertOrganisation(SqlClient client, UUID id, String name, String kind) {
    return client.preparedQuery(INSERT_ORGANISATION).execute(Tuple.of(id, name, kind))
        .map(rows -> toOrganisation(rows.iterator().next()));
  }

  public Future<List<Organisation>> allOrganisations() {
    return pool.preparedQuery(ALL_ORGANISATIONS).execute()
        .map(rows -> list(rows, ActivityStore::toOrganisation));
  }

  public Future<List<Organisation>> organisationsOf(UUID userId) {
    return pool.preparedQuery(ORGANISATIONS_OF_MEMBER).execute(Tuple.of(userId))
        .map(rows -> list(rows, ActivityStore::toOrganisation));
  }

  public Future<Optional<Organisation>> findOrganisation(UUID id) {
    return pool.preparedQuery(FIND_ORGANISATION).execute(Tuple.of(id))
        .map(rows -> first(rows, ActivityStore::toOrganisation));
  }

  public Future<Boolean> isMember(UUID userId, UUID organisationId) {
    return pool.preparedQuery(IS_MEMBER).execute(Tuple.of(userId, organisationId))
        .map(rows -> rows.size() > 0);
  }

  /** Adds a member; adding one twice is harmless. */
  public Future<Void> addMember(UUID organisationId, UUID userId) {
    return addMember(pool, organisationId, userId);
  }

  static Future<Void> addMember(SqlClient client, UUID organisationId, UUID userId) {
    return client.preparedQuery(ADD_MEMBER).execute(Tuple.of(userId, organisationId)).mapEmpty();
  }

  /** Removes a member; removing a non-member is harmless. */
  public Future<Void> removeMember(UUID organisationId, UUID userId) {
    return pool.preparedQuery(REMOVE_MEMBER).execute(Tuple.of(userId, organisationId)).mapEmpty();
  }

  // --- venues ------------------------------------------------------------------------------------------------

  /** Inserts a venue, once per {@code Idempotency-Key} of {@code createdBy} for this organisation. */
  public Future<Idempotency.Outcome<Venue>> createVenue(UUID createdBy, UUID organisationId, VenueDraft draft,
                                                        AreaIndex.Area area, Optional<String> idempotencyKey) {
    return Idempotency.create(pool, createdBy, "createVenue:" + organisationId, idempotencyKey,
        (tx, id) -> insertVenue(tx, id, organisationId, draft, area),
        (tx, id) -> tx.preparedQuery(FIND_VENUE).execute(Tuple.of(id, organisationId))
            .map(rows -> first(rows, ActivityStore::toVenue)));
  }

  static Future<Venue> insertVenue(SqlClient client, UUID id, UUID organisationId, VenueDraft draft,
                                   AreaIndex.Area area) {
    Tuple params = Tuple.of(id, organisationId, draft.name(), draft.address(), draft.lat(), draft.lon(),
        area.wijkCode(), area.wijkName(), area.buurtCode(), area.buurtName());
    return client.preparedQuery(INSERT_VENUE).execute(params)
        .map(rows -> toVenue(rows.iterator().next()));
  }

  public Future<List<Venue>> venuesOf(UUID organisationId) {
    return pool.preparedQuery(VENUES_OF).execute(Tuple.of(organisationId))
        .map(rows -> list(rows, ActivityStore::toVenue));
  }

  public Future<Optional<Venue>> findVenue(UUID organisationId, UUID venueId) {
    return pool.preparedQuery(FIND_VENUE).execute(Tuple.of(venueId, organisationId))
        .map(rows -> first(rows, ActivityStore::toVenue));
  }

  // --- activities --------------------------------------------------------------------------------------------

  /**
   * Inserts an activity. With an idempotency key that this organisation already used, nothing is inserted and
   * the earlier activity is returned with {@code created = false}.
   */
  public Future<Created<Activity>> createActivity(UUID organisationId, ActivityDraft draft, UUID createdBy,
                                                  Optional<String> idempotencyKey) {
    return insertActivity(pool, Ids.next(), organisationId, draft, createdBy, idempotencyKey)
        .compose(inserted -> inserted.isPresent()
            ? Future.succeededFuture(new Created<>(inserted.get(), true))
            : findByKey(organisationId, idempotencyKey.orElseThrow())
                .map(found -> new Created<>(found, false)));
  }

  static Future<Optional<Activity>> insertActivity(SqlClient client, UUID id, UUID organisationId,
                                                   ActivityDraft draft, UUID createdBy,
                                                   Optional<String> idempotencyKey) {
    List<Object> values = new ArrayList<>(List.of(id, organisationId));
    values.addAll(draftValues(draft));
    values.add(idempotencyKey.orElse(null));
    values.add(createdBy);
    return client.preparedQuery(INSERT_ACTIVITY).execute(Tuple.wrap(values))
        .map(rows -> first(rows, ActivityStore::toActivity));
  }

  private Future<Activity> findByKey(UUID organisationId, String key) {
    return pool.preparedQuery(FIND_ACTIVITY_BY_KEY).execute(Tuple.of(organisationId, key))
        .map(rows -> first(rows, ActivityStore::toActivity).orElseThrow());
  }

  /**
   * Replaces an active activity of this organisation and resizes its future sessions, in one transaction.
   * Empty if there is no active activity with this id in this organisation.
   *
   * @param today sessions on or after this local date take the new capacity
   */
  public Future<Optional<Activity>> updateActivity(UUID organisationId, UUID activityId, ActivityDraft draft,
                                                   LocalDate today) {
    List<Object> values = new ArrayList<>(List.of(activityId, organisationId));
    values.addAll(draftValues(draft));
    return pool.withTransaction(connection -> connection.preparedQuery(UPDATE_ACTIVITY).execute(Tuple.wrap(values))
            .map(rows -> first(rows, ActivityStore::toActivity))
            .compose(updated -> resizeSessions(connection, updated, today)))
        .recover(ActivityStore::translateCapacityConflict);
  }

  private static Future<Optional<Activity>> resizeSessions(SqlConnection connection, Optional<Activity> updated,
                                                           LocalDate today) {
    if (updated.isEmpty()) {
      return Future.succeededFuture(updated);
    }
    Activity activity = updated.get();
    return connection.preparedQuery(RESIZE_SESSIONS).execute(Tuple.of(activity.id(), activity.capacity(), today))
        .map(updated);
  }

  private static <T> Future<T> translateCapacityConflict(Throwable failure) {
    if (failure instanceof PgException pg && CHECK_VIOLATION.equals(pg.getSqlState())) {
      return Future.failedFuture(new DomainException.Conflict("capacity-below-signups",
          "A coming session already has more sign-ups than the new capacity."));
    }
    return Future.failedFuture(failure);
  }

  /** Cancels an active activity of this organisation; empty if there is none (or it was already cancelled). */
  public Future<Optional<Activity>> cancelActivity(UUID organisationId, UUID activityId) {
    return pool.withTransaction(connection -> connection.preparedQuery(CANCEL_ACTIVITY)
        .execute(Tuple.of(activityId, organisationId))
        .map(rows -> first(rows, ActivityStore::toActivity))
        .compose(cancelled -> cancelled.isEmpty()
            ? Future.succeededFuture(cancelled)
            : events.cancelled(connection, cancelled.get()).map(cancelled)));
  }

  public Future<Optional<Activity>> findActivity(UUID activityId) {
    return pool.preparedQuery(FIND_ACTIVITY).execute(Tuple.of(activityId))
        .map(rows -> first(rows, ActivityStore::toActivity));
  }

  /** The organisation's activities, newest first (at most 500). */
  public Future<List<Activity>> activitiesOf(UUID organisationId) {
    return pool.preparedQuery(ACTIVITIES_OF).execute(Tuple.of(organisationId))
        .map(rows -> list(rows, ActivityStore::toActivity));
  }

  /** Every active activity, to build the in-memory index. */
  public Future<List<Activity>> activeActivities() {
    return pool.preparedQuery(ACTIVE_ACTIVITIES).execute()
        .map(rows -> list(rows, ActivityStore::toActivity));
  }

  private static List<Object> draftValues(ActivityDraft draft) {
    List<Object> values = new ArrayList<>();
    values.add(draft.venueId());
    values.add(draft.title());
    values.add(draft.description());
    values.add(draft.category().wire());
    if (draft.schedule() instanceof Schedule.Once once) {
      values.addAll(java.util.Arrays.asList("once", utc(once.startsAt()), utc(once.endsAt()), null, null, null, null,
          null));
    } else {
      Schedule.Weekly weekly = (Schedule.Weekly) draft.schedule();
      values.addAll(java.util.Arrays.asList("weekly", null, null, (short) weekly.day().getValue(), weekly.startTime(),
          weekly.endTime(), weekly.firstDate(), weekly.lastDate()));
    }
    values.add(draft.cost().priceCents());
    values.add(draft.cost().uPasDiscount());
    values.add(draft.accessibility().wheelchair());
    values.add(draft.accessibility().hearingLoop());
    values.add(draft.capacity());
    return values;
  }

  // --- sign-ups ----------------------------------------------------------------------------------------------

  /**
   * Takes a seat at one session, in one transaction: the activity row is share-locked (a concurrent cancel
   * waits), the session's counter row is created if needed and locked, an existing active sign-up of this person
   * is returned as is ({@code created = false}), otherwise a seat is taken if {@code taken < capacity}.
   *
   * @throws DomainException.Conflict {@code activity-full} or {@code activity-cancelled} (as a failed future)
   */
  public Future<Created<Signup>> signUp(UUID activityId, LocalDate date, UUID userId) {
    return pool.withTransaction(connection -> connection.preparedQuery(LOCK_ACTIVITY).execute(Tuple.of(activityId))
        .compose(rows -> requireActive(rows))
        .compose(capacity -> connection.preparedQuery(ENSURE_SESSION).execute(Tuple.of(activityId, date, capacity)))
        .compose(ensured -> connection.preparedQuery(LOCK_SESSION).execute(Tuple.of(activityId, date)))
        .compose(locked -> connection.preparedQuery(FIND_OWN_SIGNUP_FOR_SESSION)
            .execute(Tuple.of(activityId, date, userId)))
        .map(rows -> first(rows, ActivityStore::toSignup).filter(s -> Activity.ACTIVE.equals(s.status())))
        .compose(existing -> existing.isPresent()
            ? Future.succeededFuture(new Created<>(existing.get(), false))
            : takeSeat(connection, activityId, date, userId)
                .compose(created -> connection.preparedQuery(FIND_ACTIVITY).execute(Tuple.of(activityId))
                    .compose(rows -> events.signedUp(connection, toActivity(rows.iterator().next()), date, userId))
                    .map(created))));
  }

  private static Future<Integer> requireActive(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Future.failedFuture(new DomainException.NotFound("Activity"));
    }
    Row row = rows.iterator().next();
    if (!Activity.ACTIVE.equals(row.getString("status"))) {
      return Future.failedFuture(new DomainException.Conflict("activity-cancelled", "This activity was cancelled."));
    }
    return Future.succeededFuture(row.getInteger("capacity"));
  }

  private static Future<Created<Signup>> takeSeat(SqlConnection connection, UUID activityId, LocalDate date,
                                                  UUID userId) {
    return connection.preparedQuery(TAKE_SEAT).execute(Tuple.of(activityId, date))
        .compose(taken -> taken.rowCount() == 0
            ? Future.failedFuture(new DomainException.Conflict("activity-full",
                "Every seat of this session is taken."))
            : connection.preparedQuery(UPSERT_SIGNUP).execute(Tuple.of(Ids.next(), activityId, date, userId)))
        .map(rows -> new Created<>(toSignup(rows.iterator().next()), true));
  }

  /**
   * Cancels one of this person's sign-ups and frees its seat, in one transaction (session row locked first,
   * as in {@link #signUp}, so the two never deadlock). Cancelling twice is harmless. Empty if the sign-up is not
   * this person's.
   */
  public Future<Optional<Signup>> cancelSignup(UUID signupId, UUID userId) {
    return pool.withTransaction(connection -> findOwnSignup(connection, signupId, userId)
        .compose(found -> found.isEmpty()
            ? Future.succeededFuture(found)
            : cancelLocked(connection, found.get(), userId)));
  }

  private Future<Optional<Signup>> cancelLocked(SqlConnection connection, Signup signup, UUID userId) {
    return connection.preparedQuery(LOCK_SESSION).execute(Tuple.of(signup.activityId(), signup.date()))
        .compose(locked -> connection.preparedQuery(CANCEL_SIGNUP).execute(Tuple.of(signup.id())))
        .compose(cancelled -> cancelled.rowCount() == 0
            ? Future.succeededFuture()
            : connection.preparedQuery(RELEASE_SEAT).execute(Tuple.of(signup.activityId(), signup.date()))
                .compose(released -> events.signupCancelled(connection, signup.activityId(), signup.date(), userId)))
        .compose(released -> findOwnSignup(connection, signup.id(), userId));
  }

  private static Future<Optional<Signup>> findOwnSignup(SqlClient client, UUID signupId, UUID userId) {
    return client.preparedQuery(FIND_OWN_SIGNUP).execute(Tuple.of(signupId, userId))
        .map(rows -> first(rows, ActivityStore::toSignup));
  }

  /** This person's sign-ups, latest session first (at most 200). */
  public Future<List<Signup>> signupsOf(UUID userId) {
    return pool.preparedQuery(SIGNUPS_OF).execute(Tuple.of(userId))
        .map(rows -> list(rows, ActivityStore::toSignup));
  }

  // --- mapping -----------------------------------------------------------------------------------------------

  /**
   * A write's result and whether it created something now (false: an earlier identical request did).
   */
  public record Created<T>(T value, boolean created) {
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static <T> List<T> list(RowSet<Row> rows, Function<Row, T> mapper) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(row -> out.add(mapper.apply(row)));
    return out;
  }

  private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapper) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(mapper.apply(rows.iterator().next()));
  }

  private static Organisation toOrganisation(Row row) {
    return new Organisation(row.getUUID("id"), row.getString("name"), row.getString("kind"),
        row.getOffsetDateTime("created_at").toInstant());
  }

  private static Venue toVenue(Row row) {
    return new Venue(row.getUUID("id"), row.getUUID("organisation_id"), row.getString("name"),
        row.getString("address"), row.getDouble("lat"), row.getDouble("lon"), row.getString("wijk_code"),
        row.getString("wijk_name"), row.getString("buurt_code"), row.getString("buurt_name"),
        row.getOffsetDateTime("created_at").toInstant());
  }

  private static Activity toActivity(Row row) {
    Venue venue = new Venue(row.getUUID("venue_id"), row.getUUID("organisation_id"), row.getString("venue_name"),
        row.getString("venue_address"), row.getDouble("venue_lat"), row.getDouble("venue_lon"),
        row.getString("wijk_code"), row.getString("wijk_name"), row.getString("buurt_code"),
        row.getString("buurt_name"), row.getOffsetDateTime("venue_created_at").toInstant());
    return new Activity(row.getUUID("id"), row.getLong("seq"), row.getLong("version"), row.getUUID("organisation_id"),
        row.getString("organisation_name"), venue, row.getString("title"), row.getString("description"),
        Category.parse(row.getString("category")), toSchedule(row),
        new Cost(row.getInteger("price_cents"), row.getBoolean("upas_discount")),
        new Accessibility(row.getBoolean("wheelchair"), row.getBoolean("hearing_loop")),
        row.getInteger("capacity"), row.getString("status"), row.getOffsetDateTime("created_at").toInstant(),
        row.getOffsetDateTime("updated_at").toInstant());
  }

  private static Schedule toSchedule(Row row) {
    if ("once".equals(row.getString("schedule_kind"))) {
      return new Schedule.Once(row.getOffsetDateTime("starts_at").toInstant(),
          row.getOffsetDateTime("ends_at").toInstant());
    }
    return new Schedule.Weekly(DayOfWeek.of(row.getShort("day_of_week")), row.getLocalTime("start_time"),
        row.getLocalTime("end_time"), row.getLocalDate("first_date"), row.getLocalDate("last_date"));
  }

  private static Signup toSignup(Row row) {
    OffsetDateTime cancelled = row.getOffsetDateTime("cancelled_at");
    return new Signup(row.getUUID("id"), row.getUUID("activity_id"), row.getString("title"),
        row.getLocalDate("occurs_on"), row.getString("status"), row.getOffsetDateTime("created_at").toInstant(),
        cancelled == null ? null : cancelled.toInstant());
  }
}
