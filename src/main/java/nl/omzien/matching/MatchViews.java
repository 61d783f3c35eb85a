package nl.omzien.matching;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.http.Cursor;

/** Read-side SQL of matching: what volunteers, residents and ambassadors see. Prepared statements only. */
final class MatchViews {
  private static final String WINDOWS = """
      (select json_agg(json_build_object('start', w.starts_at, 'end', w.ends_at) order by w.starts_at)
         from help_request_window w where w.request_id = r.id) as windows""";
  /*
   * A single offer or task has its own statement, not "($n::uuid is null or id = $n)" in the list's: PostgreSQL
   * cannot use the primary key in a generic plan of that form, so it planned the statement anew for every call (about
   * 1 ms of planning per accepted offer under load, more than running it).
   */
  private static final String OFFER_FROM = """
      select o.id, o.status, o.round, o.created_at, o.responded_at, o.decline_reason, o.distance_m,
             r.id as request_id, r.kind, r.urgency, r.status as request_status, r.wijk_code, r.buurt_code, r.details,
             r.lat, r.lon,
      """ + WINDOWS + """

        from offer o join help_request r on r.id = o.request_id
      """;
  private static final String OFFERS = OFFER_FROM + """
       where o.volunteer_id = $1 and ($2::text is null or o.status = $2)
         and ($3::timestamptz is null or (o.created_at, o.id) < ($3, $4))
       order by o.created_at desc, o.id desc
       limit $5
      """;
  private static final String OFFER = OFFER_FROM + " where o.id = $2 and o.volunteer_id = $1\n";
  private static final String TASK_FROM = """
      select r.id, r.kind, r.urgency, r.status, r.wijk_code, r.buurt_code, r.details, r.note, r.lat, r.lon,
             r.matched_at, r.completed_at, r.hours_spent::float8 as hours_spent, u.display_name, u.phone,
             h.address as home_address,
      """ + WINDOWS + """

        from help_request r
        join app_user u on u.id = r.resident_id
        left join resident_profile h on h.user_id = r.resident_id
      """;
  private static final String TASKS = TASK_FROM + """
       where r.volunteer_id = $1 and r.status in ('matched', 'completed')
         and ($2::timestamptz is null or (r.matched_at, r.id) < ($2, $3))
       order by r.matched_at desc, r.id desc
       limit $4
      """;
  private static final String TASK = TASK_FROM + """
       where r.id = $2 and r.volunteer_id = $1 and r.status in ('matched', 'completed')
      """;
  private static final String MATCH = """
      select r.status, r.matched_at, r.completed_at, u.display_name, u.phone, v.transport
        from help_request r
        join app_user u on u.id = r.volunteer_id
        left join volunteer_profile v on v.user_id = r.volunteer_id
       where r.id = $1 and r.status in ('matched', 'completed')
      """;
  private static final String QUEUE = """
      select r.id, r.kind, r.status, r.urgency, r.wijk_code, r.buurt_code, r.created_at, r.first_starts_at, r.round,
             (extract(epoch from now() - r.created_at) / 60)::int as waiting_minutes,
             (select count(*) from offer o where o.request_id = r.id and o.status = 'pending')::int as pending_offers
        from help_request r
       where r.wijk_code = any ($1) and r.status in ('open', 'offered', 'escalated')
         and ($2::timestamptz is null or (r.created_at, r.id) > ($2, $3))
       order by r.created_at, r.id
       limit $4
      """;
  private static final String REQUEST_OFFERS = """
      select o.id, o.volunteer_id, o.round, o.status, o.score, o.breakdown, o.created_at, o.responded_at,
             o.decline_reason, u.display_name
        from offer o join app_user u on u.id = o.volunteer_id
       where o.request_id = $1
       order by o.created_at, o.score desc, o.id
      """;
  private static final String NAMES = "select id, display_name from app_user where id = any ($1)";

  private final Pool pool;

  MatchViews(Pool pool) {
    this.pool = pool;
  }

  Future<List<Row>> offers(UUID volunteer, String status, Optional<Cursor> after, int limit) {
    Tuple params = Tuple.tuple().addUUID(volunteer).addString(status)
        .addOffsetDateTime(after.map(c -> c.at().atOffset(ZoneOffset.UTC)).orElse(null))
        .addUUID(after.map(Cursor::id).orElse(null)).addInteger(limit);
    return rows(OFFERS, params);
  }

  /** The volunteer's own offer, or none. */
  Future<Optional<Row>> offer(UUID volunteer, UUID offerId) {
    return rows(OFFER, Tuple.of(volunteer, offerId)).map(rows -> rows.stream().findFirst());
  }

  Future<List<Row>> tasks(UUID volunteer, Optional<Cursor> after, int limit) {
    Tuple params = Tuple.tuple().addUUID(volunteer)
        .addOffsetDateTime(after.map(c -> c.at().atOffset(ZoneOffset.UTC)).orElse(null))
        .addUUID(after.map(Cursor::id).orElse(null)).addInteger(limit);
    return rows(TASKS, params);
  }

  /** The volunteer's own task (a matched or completed request), or none. */
  Future<Optional<Row>> task(UUID volunteer, UUID requestId) {
    return rows(TASK, Tuple.of(volunteer, requestId)).map(rows -> rows.stream().findFirst());
  }

  Future<Optional<Row>> match(UUID requestId) {
    return rows(MATCH, Tuple.of(requestId)).map(rows -> rows.stream().findFirst());
  }

  Future<List<Row>> queue(List<String> wijken, Optional<Cursor> after, int limit) {
    Tuple params = Tuple.tuple().addArrayOfString(wijken.toArray(String[]::new))
        .addOffsetDateTime(after.map(c -> c.at().atOffset(ZoneOffset.UTC)).orElse(null))
        .addUUID(after.map(Cursor::id).orElse(null)).addInteger(limit);
    return rows(QUEUE, params);
  }

  Future<List<Row>> requestOffers(UUID requestId) {
    return rows(REQUEST_OFFERS, Tuple.of(requestId));
  }

  Future<java.util.Map<UUID, String>> names(List<UUID> ids) {
    return rows(NAMES, Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
      java.util.Map<UUID, String> names = new java.util.HashMap<>();
      rows.forEach(row -> names.put(row.getUUID("id"), row.getString("display_name")));
      return names;
    });
  }

  private Future<List<Row>> rows(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  static JsonArray windows(Row row) {
    Object raw = row.getValue("windows");
    JsonArray out = new JsonArray();
    if (raw instanceof JsonArray array) {
      for (Object item : array) {
        JsonObject w = (JsonObject) item;
        out.add(new JsonObject()
            .put("start", nl.omzien.http.Json.dateTime(OffsetDateTime.parse(w.getString("start"))))
            .put("end", nl.omzien.http.Json.dateTime(OffsetDateTime.parse(w.getString("end")))));
      }
    }
    return out;
  }
}
