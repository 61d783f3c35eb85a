package nl.omzien.carers;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Idempotency;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Json;
import nl.omzien.http.Responses;
import nl.omzien.users.HomeApi;

/**
 * {@code /v1/me/cared-for}: a mantelzorger (family carer) registers the person they care for, who may have no
 * smartphone. That person becomes a resident without a login (no external subject, so no token can name them
 * in production), with a home whose wijk and buurt are derived from the point, and a care relation; all three in
 * one transaction. The carer may then ask for help on their behalf ({@code onBehalfOf}) and sees, edits and
 * cancels those requests as the resident would.
 */
public final class CaredForApi {
  /** A carer registers at most this many people (a family, not an organisation). */
  static final int MAX_CARED_FOR = 10;

  private static final String LOCK_CARER = "select pg_advisory_xact_lock(hashtextextended('cared-for:' || $1::text, 0))";
  private static final String COUNT = "select count(*)::int from care_relation where carer_id = $1";
  private static final String INSERT_USER = """
      insert into app_user (id, display_name, language, phone, roles) values ($1, $2, $3, $4, array['resident'])
      """;
  private static final String INSERT_HOME = """
      insert into resident_profile (user_id, address, lat, lon, buurt_code, wijk_code) values ($1, $2, $3, $4, $5, $6)
      """;
  private static final String INSERT_RELATION = """
      insert into care_relation (carer_id, cared_for_id, relationship) values ($1, $2, $3)
      """;
  private static final String LIST = """
      select u.id, u.display_name, u.language, u.phone, c.relationship, c.created_at,
             h.address, h.lat, h.lon, h.buurt_code, h.wijk_code
        from care_relation c
        join app_user u on u.id = c.cared_for_id and u.deleted_at is null
        left join resident_profile h on h.user_id = u.id
       where c.carer_id = $1 and ($2::uuid is null or u.id = $2)
       order by c.created_at, u.id
      """;

  private final Pool pool;
  private final AreaIndex areas;

  public CaredForApi(Pool pool, AreaIndex areas) {
    this.pool = pool;
    this.areas = areas;
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("listCaredFor", this::list), new Endpoint("createCaredFor", this::create));
  }

  private void list(RoutingContext ctx) {
    list(pool, areas, ApiRouter.principal(ctx).userId(), null)
        .onSuccess(items -> Responses.json(ctx, 200, new JsonObject().put("items", items)))
        .onFailure(ctx::fail);
  }

  /** The people {@code carer} cares for (one when {@code only} is set), as the contract's {@code CaredFor}. */
  public static Future<JsonArray> list(io.vertx.sqlclient.SqlClient client, AreaIndex areas, UUID carer, UUID only) {
    return client.preparedQuery(LIST).execute(Tuple.of(carer, only)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(toJson(areas, row)));
      return items;
    });
  }

  private void create(RoutingContext ctx) {
    UUID carer = ApiRouter.principal(ctx).userId();
    JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
    JsonObject home = body.getJsonObject("home");
    JsonObject location = home.getJsonObject("location");
    double lat = location.getDouble("lat");
    double lon = location.getDouble("lon");
    AreaIndex.Area area = areas.buurtAt(lat, lon).orElse(null);
    if (area == null) {
      ctx.fail(new DomainException.Invalid("/home/location", "This point is not in a buurt of Utrecht."));
      return;
    }
    Idempotency.create(pool, carer, "createCaredFor", Idempotency.key(ctx),
            (tx, person) -> underCap(tx, carer)
                .compose(v -> tx.preparedQuery(INSERT_USER).execute(Tuple.of(person,
                    body.getString("displayName").strip(), body.getString("language", "nl"), body.getString("phone"))))
                .compose(v -> tx.preparedQuery(INSERT_HOME).execute(Tuple.of(person, home.getString("address").strip(),
                    lat, lon, area.buurtCode(), area.wijkCode())))
                .compose(v -> tx.preparedQuery(INSERT_RELATION).execute(Tuple.of(carer, person,
                    body.getString("relationship"))))
                .compose(v -> list(tx, areas, carer, person))
                .map(items -> items.getJsonObject(0)),
            (tx, person) -> list(tx, areas, carer, person)
                .map(items -> items.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(items.getJsonObject(0))))
        .onSuccess(created -> Responses.json(ctx, created.created() ? 201 : 200, created.value()))
        .onFailure(ctx::fail);
  }

  /** Serialises one carer's registrations, so the cap holds under concurrent calls. */
  private static Future<Void> underCap(SqlConnection tx, UUID carer) {
    return tx.preparedQuery(LOCK_CARER).execute(Tuple.of(carer.toString()))
        .compose(locked -> tx.preparedQuery(COUNT).execute(Tuple.of(carer)))
        .compose(rows -> rows.iterator().next().getInteger(0) >= MAX_CARED_FOR
            ? Future.failedFuture(new DomainException.Conflict("too-many-cared-for",
                "A carer registers at most " + MAX_CARED_FOR + " people."))
            : Future.succeededFuture());
  }

  private static JsonObject toJson(AreaIndex areas, Row row) {
    JsonObject home = row.getString("address") == null ? null : HomeApi.json(areas, row);
    return new JsonObject()
        .put("userId", row.getUUID("id").toString())
        .put("displayName", row.getString("display_name"))
        .put("relationship", row.getString("relationship"))
        .put("phone", row.getString("phone"))
        .put("language", row.getString("language") == null ? "nl" : row.getString("language"))
        .put("home", home)
        .put("since", Json.dateTime(row.getOffsetDateTime("created_at")));
  }
}
