package nl.omzien.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;

/** SQL for {@code push_device}: the app installations that receive a user's pushes. */
public final class DeviceStore {
    // The token identifies the installation: registered again (after a sign-out/sign-in or by someone else
    // on the same phone) it moves to the caller and is active again.
    private static final String UPSERT = """
            insert into push_device (id, user_id, token, platform, app_version, locale)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (token) do update
               set user_id = excluded.user_id, platform = excluded.platform, app_version = excluded.app_version,
                   locale = excluded.locale, active = true, deactivated_reason = null, updated_at = now()
            returning id, platform, app_version, locale, active, created_at, updated_at, (xmax = 0) as inserted
            """;
    private static final String RELEASE_TOKEN = "delete from push_device where token = $1 and id <> $2";
    private static final String REFRESH = """
            update push_device
               set token = $3, app_version = coalesce($4, app_version), locale = coalesce($5, locale),
                   active = true, deactivated_reason = null, updated_at = now()
             where id = $1 and user_id = $2
            returning id, platform, app_version, locale, active, created_at, updated_at, false as inserted
            """;
    private static final String DELETE = "delete from push_device where id = $1 and user_id = $2";

    /** A stored device as the API shows it (never the token), and whether this call created it. */
    public record Stored(JsonObject json, boolean created) {
    }

    private final Pool pool;

    public DeviceStore(Pool pool) {
        this.pool = pool;
    }

    public Future<Stored> register(UUID userId, String token, String platform, String appVersion, String locale) {
        return pool.preparedQuery(UPSERT)
                .execute(Tuple.of(Ids.next(), userId, token, platform, appVersion, locale))
                .map(rows -> toStored(rows.iterator().next()));
    }

    /** New token for one of the caller's devices; a device holding that token already is removed (same phone). */
    public Future<Stored> refresh(UUID deviceId, UUID userId, String token, String appVersion, String locale) {
        return pool.withTransaction(tx -> tx.preparedQuery(RELEASE_TOKEN).execute(Tuple.of(token, deviceId))
                .compose(released -> tx.preparedQuery(REFRESH)
                        .execute(Tuple.of(deviceId, userId, token, appVersion, locale)))
                .compose(rows -> rows.size() == 1 ? Future.succeededFuture(toStored(rows.iterator().next()))
                        // failing rolls the release back too
                        : Future.failedFuture(new DomainException.NotFound("Device"))));
    }

    /** Forgets one of the caller's devices (logout); NotFound when it is not theirs. */
    public Future<Void> delete(UUID deviceId, UUID userId) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(deviceId, userId))
                .compose(rows -> rows.rowCount() == 1 ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new DomainException.NotFound("Device")));
    }

    private static Stored toStored(Row row) {
        JsonObject json = new JsonObject()
                .put("deviceId", row.getUUID("id").toString())
                .put("platform", row.getString("platform"))
                .put("appVersion", row.getString("app_version"))
                .put("locale", row.getString("locale"))
                .put("active", row.getBoolean("active"))
                .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
                .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
        return new Stored(json, row.getBoolean("inserted"));
    }
}
