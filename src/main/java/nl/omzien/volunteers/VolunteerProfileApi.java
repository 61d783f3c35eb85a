package nl.omzien.volunteers;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import nl.omzien.errors.DomainException;
import nl.omzien.errors.DomainException.FieldError;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Json;
import nl.omzien.http.Responses;
import nl.omzien.matching.VolunteerIndex;

/**
 * {@code /v1/me/volunteer}: what a volunteer offers (start point, travel distance in km, transport, skills,
 * languages, VOG issue date, weekly cap, pause) and when (weekly slots, Europe/Amsterdam local time). The profile
 * and its slots are replaced in one transaction; the matching index is refreshed before the answer.
 */
public final class VolunteerProfileApi {
  private static final String UPSERT = """
      insert into volunteer_profile (user_id, lat, lon, buurt_code, wijk_code, travel_km, transport, skills, languages,
                                     vog_issued_on, weekly_cap, paused)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      on conflict (user_id) do update set lat = excluded.lat, lon = excluded.lon, buurt_code = excluded.buurt_code,
        wijk_code = excluded.wijk_code, travel_km = excluded.travel_km, transport = excluded.transport,
        skills = excluded.skills, languages = excluded.languages, vog_issued_on = excluded.vog_issued_on,
        weekly_cap = excluded.weekly_cap, paused = excluded.paused, updated_at = now()
      """;
  private static final String CLEAR_SLOTS = "delete from volunteer_availability where volunteer_id = $1";
  private static final String INSERT_SLOT = """
      insert into volunteer_availability (volunteer_id, day_of_week, start_time, end_time) values ($1, $2, $3, $4)
      """;
  private static final String FIND = """
      select p.*, (select json_agg(json_build_object('dayOfWeek', a.day_of_week,
                     'startTime', to_char(a.start_time, 'HH24:MI'), 'endTime', to_char(a.end_time, 'HH24:MI'))
                     order by a.day_of_week, a.start_time)
                   from volunteer_availability a where a.volunteer_id = p.user_id) as slots
        from volunteer_profile p where p.user_id = $1
      """;

  private final Pool pool;
  private final AreaIndex areas;
  private final VolunteerIndex index;

  public VolunteerProfileApi(Pool pool, AreaIndex areas, VolunteerIndex index) {
    this.pool = pool;
    this.areas = areas;
    this.index = index;
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("getMyVolunteerProfile", this::get),
        new Endpoint("putMyVolunteerProfile", this::put));
  }

  private void get(RoutingContext ctx) {
    find(ApiRouter.principal(ctx).userId())
        .onSuccess(profile -> Responses.json(ctx, 200, profile))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> find(UUID user) {
    return pool.preparedQuery(FIND).execute(Tuple.of(user))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new DomainException.NotFound("Volunteer profile (set it with PUT /v1/me/volunteer)"))
            : Future.succeededFuture(toJson(areas, rows)));
  }

  /** A volunteer's profile as the contract's {@code VolunteerProfile}, or null when they have none. */
  public static Future<JsonObject> profileOf(io.vertx.sqlclient.SqlClient client, AreaIndex areas, UUID user) {
    return client.preparedQuery(FIND).execute(Tuple.of(user))
        .map(rows -> rows.size() == 0 ? null : toJson(areas, rows));
  }

  private void put(RoutingContext ctx) {
    UUID user = ApiRouter.principal(ctx).userId();
    JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
    JsonObject location = body.getJsonObject("location");
    double lat = location.getDouble("lat");
    double lon = location.getDouble("lon");
    List<FieldError> errors = new ArrayList<>();
    AreaIndex.Area area = areas.buurtAt(lat, lon).orElse(null);
    if (area == null) {
      errors.add(new FieldError("/location", "This point is not in a buurt of Utrecht."));
    }
    List<Tuple> slots = slots(user, body.getJsonArray("availability"), errors);
    if (!errors.isEmpty()) {
      ctx.fail(new DomainException.Invalid("The volunteer profile breaks a rule.", errors));
      return;
    }
    Tuple profile = Tuple.tuple()
        .addUUID(user).addDouble(lat).addDouble(lon).addString(area.buurtCode()).addString(area.wijkCode())
        .addValue(BigDecimal.valueOf(body.getDouble("travelKm")))
        .addArrayOfString(strings(body.getJsonArray("transport")))
        .addArrayOfString(strings(body.getJsonArray("skills", new JsonArray())))
        .addArrayOfString(strings(body.getJsonArray("languages", new JsonArray().add("nl"))))
        .addLocalDate(body.getString("vogIssuedOn") == null ? null : LocalDate.parse(body.getString("vogIssuedOn")))
        .addInteger(body.getInteger("weeklyCap", 3))
        .addBoolean(body.getBoolean("paused", false));
    pool.withTransaction(connection -> connection.preparedQuery(UPSERT).execute(profile)
            .compose(done -> connection.preparedQuery(CLEAR_SLOTS).execute(Tuple.of(user)))
            .compose(done -> slots.isEmpty()
                ? Future.succeededFuture()
                : connection.preparedQuery(INSERT_SLOT).executeBatch(slots).mapEmpty()))
        // Matching sees the change before we answer (other instances hear it through NOTIFY).
        .compose(done -> index.refresh(user))
        .compose(done -> find(user))
        .onSuccess(stored -> Responses.json(ctx, 200, stored))
        .onFailure(ctx::fail);
  }

  private static List<Tuple> slots(UUID user, JsonArray raw, List<FieldError> errors) {
    List<Tuple> slots = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      JsonObject slot = raw.getJsonObject(i);
      LocalTime start = LocalTime.parse(slot.getString("startTime"));
      LocalTime end = LocalTime.parse(slot.getString("endTime"));
      if (!end.isAfter(start)) {
        errors.add(new FieldError("/availability/" + i + "/endTime", "Must be after startTime."));
      } else if (!seen.add(slot.getInteger("dayOfWeek") + "@" + start)) {
        errors.add(new FieldError("/availability/" + i, "Another slot starts at the same day and time."));
      }
      slots.add(Tuple.of(user, slot.getInteger("dayOfWeek").shortValue(), start, end));
    }
    return slots;
  }

  private static String[] strings(JsonArray array) {
    return array.stream().map(String::valueOf).sorted().distinct().toArray(String[]::new);
  }

  private static JsonObject toJson(AreaIndex areas, RowSet<Row> rows) {
    Row row = rows.iterator().next();
    String wijk = row.getString("wijk_code");
    String buurt = row.getString("buurt_code");
    Object slots = row.getValue("slots");
    LocalDate vog = row.getLocalDate("vog_issued_on");
    return new JsonObject()
        .put("location", new JsonObject().put("lat", row.getDouble("lat")).put("lon", row.getDouble("lon")))
        .put("wijk", Json.areaRef(wijk, areas.wijk(wijk).map(AreaIndex.Wijk::name).orElse(null)))
        .put("buurt", Json.areaRef(buurt, areas.buurt(buurt).map(AreaIndex.Buurt::name).orElse(null)))
        .put("travelKm", row.getBigDecimal("travel_km").doubleValue())
        .put("transport", new JsonArray(List.of(row.getArrayOfStrings("transport"))))
        .put("skills", new JsonArray(List.of(row.getArrayOfStrings("skills"))))
        .put("languages", new JsonArray(List.of(row.getArrayOfStrings("languages"))))
        .put("vogIssuedOn", vog == null ? null : vog.toString())
        .put("weeklyCap", row.getInteger("weekly_cap"))
        .put("paused", row.getBoolean("paused"))
        .put("availability", slots instanceof JsonArray array ? array : new JsonArray());
  }
}
