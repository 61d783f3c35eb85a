package nl.omzien.users;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Json;
import nl.omzien.http.Responses;

/**
 * {@code /v1/me/home}: where a resident lives. The wijk and buurt are derived from the point with the CBS polygons
 * (never typed in); a point outside Utrecht's buurten is refused (422), since no help can be organised there yet.
 */
public final class HomeApi {
  private static final String UPSERT = """
      insert into resident_profile (user_id, address, lat, lon, buurt_code, wijk_code)
      values ($1, $2, $3, $4, $5, $6)
      on conflict (user_id) do update set address = excluded.address, lat = excluded.lat, lon = excluded.lon,
        buurt_code = excluded.buurt_code, wijk_code = excluded.wijk_code, updated_at = now()
      """;
  private static final String FIND = """
      select address, lat, lon, buurt_code, wijk_code from resident_profile where user_id = $1
      """;

  private final Pool pool;
  private final AreaIndex areas;

  public HomeApi(Pool pool, AreaIndex areas) {
    this.pool = pool;
    this.areas = areas;
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("getMyHome", this::get), new Endpoint("putMyHome", this::put));
  }

  private void get(RoutingContext ctx) {
    UUID user = ApiRouter.principal(ctx).userId();
    pool.preparedQuery(FIND).execute(Tuple.of(user))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new DomainException.NotFound("Home (set it with PUT /v1/me/home)"))
            : Future.succeededFuture(json(areas, rows.iterator().next())))
        .onSuccess(home -> Responses.json(ctx, 200, home))
        .onFailure(ctx::fail);
  }

  private void put(RoutingContext ctx) {
    UUID user = ApiRouter.principal(ctx).userId();
    JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
    JsonObject location = body.getJsonObject("location");
    double lat = location.getDouble("lat");
    double lon = location.getDouble("lon");
    AreaIndex.Area area = areas.buurtAt(lat, lon).orElse(null);
    if (area == null) {
      ctx.fail(new DomainException.Invalid("/location", "This point is not in a buurt of Utrecht."));
      return;
    }
    String address = body.getString("address").strip();
    pool.preparedQuery(UPSERT).execute(Tuple.of(user, address, lat, lon, area.buurtCode(), area.wijkCode()))
        .onSuccess(done -> Responses.json(ctx, 200, new JsonObject()
            .put("address", address)
            .put("location", new JsonObject().put("lat", lat).put("lon", lon))
            .put("wijk", Json.areaRef(area.wijkCode(), area.wijkName()))
            .put("buurt", Json.areaRef(area.buurtCode(), area.buurtName()))))
        .onFailure(ctx::fail);
  }

  /**
   * The contract's {@code Home} from a row with {@code address, lat, lon, wijk_code, buurt_code} (a resident's own
   * home, a cared-for person's, the export's); wijk and buurt names come from the area index.
   */
  public static JsonObject json(AreaIndex areas, Row row) {
    String wijk = row.getString("wijk_code");
    String buurt = row.getString("buurt_code");
    return new JsonObject()
        .put("address", row.getString("address"))
        .put("location", new JsonObject().put("lat", row.getDouble("lat")).put("lon", row.getDouble("lon")))
        .put("wijk", Json.areaRef(wijk, areas.wijk(wijk).map(AreaIndex.Wijk::name).orElse(null)))
        .put("buurt", Json.areaRef(buurt, areas.buurt(buurt).map(AreaIndex.Buurt::name).orElse(null)));
  }
}
