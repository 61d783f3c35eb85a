package nl.omzien.push;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;
import java.util.UUID;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;

/**
 * {@code /v1/devices} (any signed-in person: their own app installations) and {@code /v1/admin/push/...}
 * (admins: dead letters and what the dry-run sender would have sent). Responses never contain a token.
 */
final class PushApi {
    private final DeviceStore devices;
    private final PushOutbox outbox;
    private final PushSender sender;

    PushApi(DeviceStore devices, PushOutbox outbox, PushSender sender) {
        this.devices = devices;
        this.outbox = outbox;
        this.sender = sender;
    }

    List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("registerDevice", this::registerDevice),
                new Endpoint("refreshDevice", this::refreshDevice),
                new Endpoint("deleteDevice", this::deleteDevice),
                new Endpoint("listPushDeadLetters", this::listDeadLetters),
                new Endpoint("retryPushDeadLetter", this::retryDeadLetter),
                new Endpoint("listPushDryRun", this::listDryRun),
                new Endpoint("putMyQuietHours", this::putQuietHours),
                new Endpoint("deleteMyQuietHours", this::deleteQuietHours));
    }

    private void putQuietHours(RoutingContext ctx) {
        JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
        outbox.setQuietHours(ApiRouter.principal(ctx).userId(),
                        QuietHours.parse(body.getString("start"), body.getString("end")))
                .onSuccess(setting -> Responses.json(ctx, 200, setting))
                .onFailure(ctx::fail);
    }

    private void deleteQuietHours(RoutingContext ctx) {
        outbox.setQuietHours(ApiRouter.principal(ctx).userId(), null)
                .onSuccess(setting -> Responses.json(ctx, 200, setting))
                .onFailure(ctx::fail);
    }

    private void registerDevice(RoutingContext ctx) {
        JsonObject body = ApiRouter.validated(ctx).getBody().getJsonObject();
        devices.register(ApiRouter.principal(ctx).userId(), body.getString("token"), body.getString("platform"),
                        body.getString("appVersion"), body.getString("locale", "nl"))
                .onSuccess(stored -> Responses.json(ctx, stored.created() ? 201 : 200, stored.json()))
                .onFailure(ctx::fail);
    }

    private void refreshDevice(RoutingContext ctx) {
        ValidatedRequest request = ApiRouter.validated(ctx);
        JsonObject body = request.getBody().getJsonObject();
        devices.refresh(pathId(request, "deviceId"), ApiRouter.principal(ctx).userId(), body.getString("token"),
                        body.getString("appVersion"), body.getString("locale"))
                .onSuccess(stored -> Responses.json(ctx, 200, stored.json()))
                .onFailure(ctx::fail);
    }

    private void deleteDevice(RoutingContext ctx) {
        devices.delete(pathId(ApiRouter.validated(ctx), "deviceId"), ApiRouter.principal(ctx).userId())
                .onSuccess(v -> Responses.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private void listDeadLetters(RoutingContext ctx) {
        ValidatedRequest request = ApiRouter.validated(ctx);
        RequestParameter cursor = request.getQuery().get("cursor");
        RequestParameter limit = request.getQuery().get("limit");
        outbox.deadLetters(cursor == null || cursor.isNull() ? null : cursor.getString(),
                        limit == null || limit.isNull() ? 20 : limit.getInteger())
                .onSuccess(page -> Responses.json(ctx, 200, new JsonObject()
                        .put("items", page.items())
                        .put("nextCursor", page.nextCursor())))
                .onFailure(ctx::fail);
    }

    private void retryDeadLetter(RoutingContext ctx) {
        outbox.retry(pathId(ApiRouter.validated(ctx), "messageId"))
                .onSuccess(v -> Responses.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private void listDryRun(RoutingContext ctx) {
        RequestParameter limitParam = ApiRouter.validated(ctx).getQuery().get("limit");
        int limit = limitParam == null || limitParam.isNull() ? 100 : limitParam.getInteger();
        JsonArray items = new JsonArray();
        boolean dryRun = sender instanceof DryRunPushSender;
        if (sender instanceof DryRunPushSender recorder) {
            List<PushMessage> recent = recorder.recent();
            for (int i = recent.size() - 1; i >= 0 && items.size() < limit; i--) {
                items.add(view(recent.get(i)));
            }
        }
        Responses.json(ctx, 200, new JsonObject().put("mode", dryRun ? "dry-run" : "fcm").put("items", items));
    }

    /** What the app would have seen: never the token. */
    private static JsonObject view(PushMessage m) {
        return new JsonObject()
                .put("messageId", m.messageId().toString())
                .put("kind", m.kind().wireName())
                .put("locale", m.locale().getLanguage())
                .put("urgent", m.urgent())
                .put("title", m.title())
                .put("body", m.body())
                .put("data", new JsonObject(new java.util.TreeMap<String, Object>(m.data())));
    }

    private static UUID pathId(ValidatedRequest request, String name) {
        return UUID.fromString(request.getPathParameters().get(name).getString());
    }
}
