package nl.omzien.requests;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.http.Cursor;

/** SQL for hulpvragen, their time windows and status history. Prepared statements only. */
public final class RequestStore {
  private static final String COLUMNS = """
      r.id, r.resident_id, r.created_by, r.kind, r.status, r.urgency, r.details, r.note, r.lat, r.lon,
      r.wijk_code, r.buurt_code, r.created_at, r.updated_at, r.volunteer_id, r.round, r.matched_at, r.completed_at,
      (select json_agg(json_build_object('start', w.starts_at, 'end', w.ends_at) order by w.starts_at)
         from help_request_window w where w.request_id = r.id) as windows
      """;
  private static final String INSERT_WINDOW = """
      insert into help_request_window (request_id, starts_at, ends_at) values ($1, $2, $3)
      """;
  private static final String INSERT_HISTORY = """
      insert into help_request_history (request_id, actor_id, from_status, to_status, reason) values ($1, $2, $3, $4, $5)
      """;
  private static final String FIND = "select " + COLUMNS + " from help_request r where r.id = $1";
  // The entry's from-status is the last one recorded (every change is recorded); the request is read in the same
  // statement, with the caller's earlier changes (the snapshot does not hold the entry, which it does not need).
  private static final String RECORD_AND_FIND = """
      with recorded as (
        insert into help_request_history (request_id, actor_id, from_status, to_status, reason)
        select $1, $2, (select h.to_status from help_request_history h where h.request_id = $1 order by h.id desc
                         limit 1), $3, $4
      )
      select\s""" + COLUMNS + " from help_request r where r.id = $1";
  private static final String FIND_BY_KEY = "select " + COLUMNS
      + " from help_request r where r.created_by = $1 and r.idempotency_key = $2";
  // A carer's list holds the requests of the people they care for too (care_relation).
  private static final String LIST_BY_RESIDENT = "select " + COLUMNS + """
       from help_request r
      where r.resident_id = any (array(select $1::uuid union all
                                       select cared_for_id from care_relation where carer_id = $1))
        and ($2::text is null or r.status = $2)
        and ($3::timestamptz is null or (r.created_at, r.id) < ($3, $4))
      order by r.created_at desc, r.id desc
      limit $5
      """;
  private static final String LOCK_STATUS = "select status from help_request where id = $1 for no key update";
  private static final String SET_STATUS = """
      update help_request set status = $2, updated_at = now() where id = $1 and status = $3
      """;
  private static final String HISTORY = """
      select at, actor_id, from_status, to_status, reason from help_request_history where request_id = $1 order by id limit 1000
      """;

  private static final String HOME = "select lat, lon, buurt_code, wijk_code from resident_profile where user_id = $1";
  private static final String IS_CARER = """
      select exists (select 1 from care_relation where carer_id = $1 and cared_for_id = $2)
      """;
  private static final String UPDATE = """
      update help_request set urgency = $2, details = $3, note = $4, lat = $5, lon = $6, buurt_code = $7,
                              wijk_code = $8, first_starts_at = $9, updated_at = now()
       where id = $1
      """;
  private static final String CLEAR_WINDOWS = "delete from help_request_window where request_id = $1";
  private static final String ALL_OF = "select " + COLUMNS + """
       from help_request r
      where r.resident_id = any ($1)
      order by r.created_at, r.id
      """;
  private static final String HISTORY_OF = """
      select request_id, at, actor_id, from_status, to_status, reason from help_request_history
       where request_id = any ($1) order by id
      """;

  private final Pool pool;

  public RequestStore(Pool pool) {
    this.pool = pool;
  }

  /** What a new request is made of (already checked by the service). */
  public record NewRequest(UUID id, UUID residentId, UUID createdBy, JsonObject proxyConsent, String kind,
                           String urgency, JsonObject details, String note, double lat, double lon, String buurtCode,
                           String wijkCode, List<HelpRequest.Window> windows, String idempotencyKey,
                           String createdReason) {
    /** The request as it will be before matching touches it (open, round 0, not yet stored: no times). */
    public HelpRequest asOpen() {
      return new HelpRequest(id, residentId, createdBy, kind, RequestStatus.OPEN, urgency, details, note, lat, lon,
          wijkCode, buurtCode, windows, null, null, null, 0, null, null);
    }
  }

  /** The editable part of a request (already checked by the service); the kind never changes. */
  public record Edit(String urgency, JsonObject details, String note, double lat, double lon, String buurtCode,
                     String wijkCode, List<HelpRequest.Window> windows) {
  }

  /** One status change (or, with {@code from} equal to {@code to}, an edit that kept the status). */
  public record StatusChange(OffsetDateTime at, UUID actorId, String from, String to, String reason) {
    /** The contract's {@code StatusChange}. */
    public JsonObject toJson() {
      return new JsonObject()
          .put("at", nl.omzien.http.Json.dateTime(at))
          .put("actorId", actorId == null ? null : actorId.toString())
          .put("from", from)
          .put("to", to)
          .put("reason", reason);
    }
  }

  /** Where a resident lives, as {@code (lat, lon, buurt, wijk)}. */
  public record Home(double lat, double lon, String buurtCode, String wijkCode) {
  }

  public Future<Optional<Home>> home(UUID residentId) {
    return pool.preparedQuery(HOME).execute(Tuple.of(residentId)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(rows.iterator().next()).map(row -> new Home(row.getDouble("lat"), row.getDouble("lon"),
            row.getString("buurt_code"), row.getString("wijk_code"))));
  }

  public Future<Optional<HelpRequest>> find(UUID id) {
    return find(pool, id);
  }

  /** Whether {@code carer} is registered as a mantelzorger of {@code caredFor}. */
  public Future<Boolean> isCarer(UUID carer, UUID caredFor) {
    return pool.preparedQuery(IS_CARER).execute(Tuple.of(carer, caredFor))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** Runs {@code work} in one transaction on this store's pool. */
  public <T> Future<T> inTransaction(java.util.function.Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work::apply);
  }

  /** Locks a request row for a change and returns its current state (inside the caller's transaction). */
  public static Future<Optional<HelpRequest>> lockAndFind(SqlConnection tx, UUID id) {
    return tx.preparedQuery(LOCK_STATUS).execute(Tuple.of(id))
        .compose(locked -> locked.size() == 0 ? Future.succeededFuture(Optional.empty()) : find(tx, id));
  }

  /** Replaces the editable fields and the time windows of a request (inside the caller's transaction). */
  public static Future<Void> update(SqlConnection tx, UUID id, Edit edit) {
    List<Tuple> windows = edit.windows().stream().map(w -> Tuple.of(id, w.start(), w.end())).toList();
    return tx.preparedQuery(UPDATE)
        .execute(Tuple.from(new Object[] {id, edit.urgency(), edit.details(), edit.note(), edit.lat(), edit.lon(),
            edit.buurtCode(), edit.wijkCode(), edit.windows().get(0).start()}))
        .compose(done -> tx.preparedQuery(CLEAR_WINDOWS).execute(Tuple.of(id)))
        .compose(done -> tx.preparedQuery(INSERT_WINDOW).executeBatch(windows))
        .mapEmpty();
  }

  /** Every request of these residents, oldest first (for a data export). */
  public static Future<List<HelpRequest>> allOf(SqlClient client, List<UUID> residents) {
    return client.preparedQuery(ALL_OF).execute(Tuple.of(residents.toArray(UUID[]::new))).map(rows -> {
      List<HelpRequest> all = new ArrayList<>();
      rows.forEach(row -> all.add(toRequest(row)));
      return all;
    });
  }

  /** The history of these requests, keyed by request id, each oldest first (for a data export). */
  public static Future<java.util.Map<UUID, List<StatusChange>>> historyOf(SqlClient client, List<UUID> requests) {
    return client.preparedQuery(HISTORY_OF).execute(Tuple.of(requests.toArray(UUID[]::new))).map(rows -> {
      java.util.Map<UUID, List<StatusChange>> byRequest = new java.util.HashMap<>();
      rows.forEach(row -> byRequest.computeIfAbsent(row.getUUID("request_id"), k -> new ArrayList<>())
          .add(new StatusChange(row.getOffsetDateTime("at"), row.getUUID("actor_id"), row.getString("from_status"),
              row.getString("to_status"), row.getString("reason"))));
      return byRequest;
    });
  }

  /** A request read on the given client (e.g. inside a caller's transaction). */
  public static Future<Optional<HelpRequest>> find(SqlClient client, UUID id) {
    return client.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> first(rows));
  }

  /** Records a status change in the request's history (inside the caller's transaction). */
  public static Future<Void> recordChange(SqlClient client, UUID id, UUID actor, RequestStatus from, RequestStatus to,
                                          String reason) {
    return client.preparedQuery(INSERT_HISTORY)
        .execute(Tuple.of(id, actor, from == null ? null : from.wire(), to.wire(), reason))
        .mapEmpty();
  }

  /**
   * Records a change to {@code to} from the last recorded status and reads the request, in one statement (inside
   * the caller's transaction, after the change itself).
   */
  public static Future<Optional<HelpRequest>> recordChangeAndFind(SqlClient client, UUID id, UUID actor,
                                                                  RequestStatus to, String reason) {
    return client.preparedQuery(RECORD_AND_FIND).execute(Tuple.of(id, actor, to.wire(), reason)).map(rows -> first(rows));
  }

  public Future<Optional<HelpRequest>> findByIdempotencyKey(UUID createdBy, String key) {
    return pool.preparedQuery(FIND_BY_KEY).execute(Tuple.of(createdBy, key)).map(rows -> first(rows));
  }

  /** A page of a resident's requests, newest first, after the cursor. */
  public Future<List<HelpRequest>> listByResident(UUID residentId, Optional<RequestStatus> status,
                                                  Optional<Cursor> after, int limit) {
    Tuple params = Tuple.tuple()
        .addUUID(residentId)
        .addString(status.map(RequestStatus::wire).orElse(null))
        .addOffsetDateTime(after.map(c -> c.at().atOffset(ZoneOffset.UTC)).orElse(null))
        .addUUID(after.map(Cursor::id).orElse(null))
        .addInteger(limit);
    return pool.preparedQuery(LIST_BY_RESIDENT).execute(params).map(rows -> {
      List<HelpRequest> page = new ArrayList<>();
      rows.forEach(row -> page.add(toRequest(row)));
      return page;
    });
  }

  /**
   * Moves a request to {@code to} if its current status allows it, recording who, when and why, in one
   * transaction (the row is locked, so two concurrent changes are serialised). Fails with
   * {@link IllegalTransition} when the current status does not allow it; empty when there is no such request.
   */
  public Future<Optional<RequestStatus>> transition(UUID id, RequestStatus to, UUID actor, String reason) {
    return transition(id, to, actor, reason, (connection, from) -> Future.succeededFuture());
  }

  /** What else a status change does, in its transaction (e.g. withdrawing offers); gets the status before. */
  @FunctionalInterface
  public interface SideEffect {
    Future<Void> apply(SqlConnection connection, RequestStatus from);
  }

  /** As {@link #transition(UUID, RequestStatus, UUID, String)}, running {@code also} in the same transaction. */
  public Future<Optional<RequestStatus>> transition(UUID id, RequestStatus to, UUID actor, String reason,
                                                    SideEffect also) {
    return pool.withTransaction(connection -> connection.preparedQuery(LOCK_STATUS).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<RequestStatus>empty());
          }
          RequestStatus from = RequestStatus.fromWire(rows.iterator().next().getString("status"));
          if (!RequestStatus.allowedFrom(to).contains(from)) {
            return Future.failedFuture(new IllegalTransition(from, to));
          }
          return connection.preparedQuery(SET_STATUS).execute(Tuple.of(id, to.wire(), from.wire()))
              .compose(done -> connection.preparedQuery(INSERT_HISTORY)
                  .execute(Tuple.of(id, actor, from.wire(), to.wire(), reason)))
              .compose(done -> also.apply(connection, from))
              .map(done -> Optional.of(from));
        }));
  }

  public Future<List<StatusChange>> history(UUID id) {
    return pool.preparedQuery(HISTORY).execute(Tuple.of(id)).map(rows -> {
      List<StatusChange> changes = new ArrayList<>();
      rows.forEach(row -> changes.add(new StatusChange(row.getOffsetDateTime("at"), row.getUUID("actor_id"),
          row.getString("from_status"), row.getString("to_status"), row.getString("reason"))));
      return changes;
    });
  }

  /** The current status does not allow the requested change. */
  public static final class IllegalTransition extends RuntimeException {
    private final RequestStatus from;
    private final RequestStatus to;

    IllegalTransition(RequestStatus from, RequestStatus to) {
      super("a " + from.wire() + " request cannot become " + to.wire(), null, false, false);
      this.from = from;
      this.to = to;
    }

    public RequestStatus from() {
      return from;
    }

    public RequestStatus to() {
      return to;
    }
  }

  private static Optional<HelpRequest> first(io.vertx.sqlclient.RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toRequest(rows.iterator().next()));
  }

  /** A request from a row with {@code help_request}'s columns and {@code windows} as this store selects them. */
  public static HelpRequest toRequest(Row row) {
    List<HelpRequest.Window> windows = new ArrayList<>();
    Object raw = row.getValue("windows");
    if (raw instanceof JsonArray array) {
      for (Object item : array) {
        JsonObject window = (JsonObject) item;
        windows.add(new HelpRequest.Window(OffsetDateTime.parse(window.getString("start")),
            OffsetDateTime.parse(window.getString("end"))));
      }
    }
    return new HelpRequest(row.getUUID("id"), row.getUUID("resident_id"), row.getUUID("created_by"),
        row.getString("kind"), RequestStatus.fromWire(row.getString("status")), row.getString("urgency"),
        (JsonObject) row.getValue("details"), row.getString("note"), row.getDouble("lat"), row.getDouble("lon"),
        row.getString("wijk_code"), row.getString("buurt_code"), windows, row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"), row.getUUID("volunteer_id"), row.getInteger("round"),
        row.getOffsetDateTime("matched_at"), row.getOffsetDateTime("completed_at"));
  }
}
