package nl.omzien.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.omzien.carers.CaredForApi;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Json;
import nl.omzien.push.QuietHours;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStore;
import nl.omzien.users.HomeApi;
import nl.omzien.users.User;
import nl.omzien.volunteers.VolunteerProfileApi;

/**
 * Everything Omzien holds about one person (AVG/GDPR art. 15 and 20), read in one repeatable-read transaction
 * so the parts agree with each other: profile, home, volunteer profile with availability, devices (never the
 * push token), requests (their own and those of the people they care for) with windows and history, offers made
 * to them with the stored score breakdown (why they were asked), their tasks, the feedback they gave, activity
 * sign-ups, and the people they care for. Other people's personal data (a volunteer's name, a resident's address)
 * is not part of it.
 */
final class DataExport {
  private static final String SNAPSHOT = "set transaction isolation level repeatable read, read only";
  private static final String PROFILE = """
      select %s from app_user where id = $1 and deleted_at is null
      """.formatted(User.COLUMNS);
  private static final String HOME = """
      select address, lat, lon, buurt_code, wijk_code from resident_profile where user_id = $1
      """;
  private static final String DEVICES = """
      select id, platform, app_version, locale, active, created_at, updated_at from push_device
       where user_id = $1 order by created_at, id
      """;
  private static final String CARED_FOR_IDS = "select cared_for_id from care_relation where carer_id = $1";
  private static final String OFFERS = """
      select id, request_id, status, round, created_at, responded_at, decline_reason, distance_m, breakdown
        from offer where volunteer_id = $1 order by created_at, id
      """;
  private static final String TASKS = """
      select id, kind, status, matched_at, completed_at, hours_spent::float8 as hours_spent
        from help_request where volunteer_id = $1 order by matched_at, id
      """;
  private static final String FEEDBACK = """
      select request_id, role, rating, comment, at from feedback where author_id = $1 order by at, request_id
      """;
  private static final String SIGNUPS = """
      select s.id, s.activity_id, a.title, s.occurs_on, s.status, s.created_at, s.cancelled_at
        from activity_signup s join activity a on a.id = s.activity_id
       where s.user_id = $1 order by s.occurs_on, s.id
      """;

  private final Pool pool;
  private final AreaIndex areas;
  private final Clock clock;
  private final QuietHours quietHours;

  DataExport(Pool pool, AreaIndex areas, Clock clock, QuietHours quietHours) {
    this.pool = pool;
    this.areas = areas;
    this.clock = clock;
    this.quietHours = quietHours;
  }

  /** The contract's {@code DataExport} for {@code person}. */
  Future<JsonObject> of(UUID person) {
    return pool.withTransaction(tx -> tx.query(SNAPSHOT).execute()
        .compose(v -> {
          JsonObject out = new JsonObject().put("exportedAt", Json.dateTime(OffsetDateTime.now(clock)));
          return one(tx, PROFILE, person).map(row -> out.put("profile", row == null ? null : User.from(row, quietHours).toJson()))
              .compose(x -> one(tx, HOME, person)).map(row -> out.put("home", row == null ? null : HomeApi.json(areas, row)))
              .compose(x -> VolunteerProfileApi.profileOf(tx, areas, person))
              .map(volunteer -> out.put("volunteerProfile", volunteer))
              .compose(x -> all(tx, DEVICES, person)).map(rows -> out.put("devices", map(rows, DataExport::device)))
              .compose(x -> requests(tx, person)).map(requests -> out.put("requests", requests))
              .compose(x -> all(tx, OFFERS, person)).map(rows -> out.put("offers", map(rows, DataExport::offer)))
              .compose(x -> all(tx, TASKS, person)).map(rows -> out.put("tasks", map(rows, DataExport::task)))
              .compose(x -> all(tx, FEEDBACK, person))
              .map(rows -> out.put("feedbackGiven", map(rows, DataExport::feedback)))
              .compose(x -> all(tx, SIGNUPS, person)).map(rows -> out.put("signups", map(rows, DataExport::signup)))
              .compose(x -> CaredForApi.list(tx, areas, person, null)).map(caredFor -> out.put("caredFor", caredFor));
        }));
  }

  /** Their own requests and those of the people they care for, each with its history. */
  private Future<JsonArray> requests(SqlConnection tx, UUID person) {
    return all(tx, CARED_FOR_IDS, person)
        .compose(rows -> {
          List<UUID> residents = new ArrayList<>();
          residents.add(person);
          rows.forEach(row -> residents.add(row.getUUID("cared_for_id")));
          return RequestStore.allOf(tx, residents);
        })
        .compose(requests -> RequestStore.historyOf(tx, requests.stream().map(HelpRequest::id).toList())
            .map(history -> requests(requests, history)));
  }

  private static JsonArray requests(List<HelpRequest> requests, Map<UUID, List<RequestStore.StatusChange>> history) {
    JsonArray out = new JsonArray();
    for (HelpRequest request : requests) {
      JsonArray changes = new JsonArray();
      history.getOrDefault(request.id(), List.of()).forEach(change -> changes.add(change.toJson()));
      out.add(new JsonObject().put("request", request.toJson()).put("history", changes));
    }
    return out;
  }



  private static JsonObject device(Row row) {
    return new JsonObject()
        .put("deviceId", row.getUUID("id").toString())
        .put("platform", row.getString("platform"))
        .put("appVersion", row.getString("app_version"))
        .put("locale", row.getString("locale"))
        .put("active", row.getBoolean("active"))
        .put("createdAt", Json.dateTime(row.getOffsetDateTime("created_at")))
        .put("updatedAt", Json.dateTime(row.getOffsetDateTime("updated_at")));
  }

  private static JsonObject offer(Row row) {
    return new JsonObject()
        .put("offerId", row.getUUID("id").toString())
        .put("requestId", row.getUUID("request_id").toString())
        .put("status", row.getString("status"))
        .put("round", row.getInteger("round"))
        .put("createdAt", Json.dateTime(row.getOffsetDateTime("created_at")))
        .put("respondedAt", Json.dateTime(row.getOffsetDateTime("responded_at")))
        .put("declineReason", row.getString("decline_reason"))
        .put("distanceMeters", row.getInteger("distance_m"))
        .put("score", (JsonObject) row.getValue("breakdown"));
  }

  private static JsonObject task(Row row) {
    return new JsonObject()
        .put("requestId", row.getUUID("id").toString())
        .put("kind", row.getString("kind"))
        .put("status", row.getString("status"))
        .put("matchedAt", Json.dateTime(row.getOffsetDateTime("matched_at")))
        .put("completedAt", Json.dateTime(row.getOffsetDateTime("completed_at")))
        .put("hoursSpent", row.getDouble("hours_spent"));
  }

  private static JsonObject feedback(Row row) {
    return new JsonObject()
        .put("requestId", row.getUUID("request_id").toString())
        .put("role", row.getString("role"))
        .put("rating", (int) row.getShort("rating"))
        .put("comment", row.getString("comment"))
        .put("givenAt", Json.dateTime(row.getOffsetDateTime("at")));
  }

  private static JsonObject signup(Row row) {
    return new JsonObject()
        .put("signupId", row.getUUID("id").toString())
        .put("activityId", row.getUUID("activity_id").toString())
        .put("activityTitle", row.getString("title"))
        .put("date", row.getLocalDate("occurs_on").toString())
        .put("status", row.getString("status"))
        .put("createdAt", Json.dateTime(row.getOffsetDateTime("created_at")))
        .put("cancelledAt", Json.dateTime(row.getOffsetDateTime("cancelled_at")));
  }

  private static Future<Row> one(SqlConnection tx, String sql, UUID person) {
    return tx.preparedQuery(sql).execute(Tuple.of(person))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static Future<List<Row>> all(SqlConnection tx, String sql, UUID person) {
    return tx.preparedQuery(sql).execute(Tuple.of(person)).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  private static JsonArray map(List<Row> rows, java.util.function.Function<Row, JsonObject> shape) {
    JsonArray out = new JsonArray();
    rows.forEach(row -> out.add(shape.apply(row)));
    return out;
  }
}
