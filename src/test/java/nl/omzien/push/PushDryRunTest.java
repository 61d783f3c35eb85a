package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.MutableClock;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Push without Firebase credentials")
@ExtendWith(BlockedThreadWatch.class)
class PushDryRunTest {

    @Test
    @DisplayName("the dry-run sender records what would be sent, and admins see it without the token, "
            + "once the worker's own timer has picked it up")
    void dryRunLog() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-05-12T10:00:00Z"));
        PushConfig config = PushConfig.defaults().withPollInterval(Duration.ofMillis(50));
        try (TestApp app = TestApp.start("dryrun", Map.of(), PushOptions.of(new DryRunPushSender(), clock, config))) {
            UUID user = UUID.randomUUID();
            app.client().post("/v1/devices").bearerTokenAuthentication(app.token(user, Set.of(Role.RESIDENT), Set.of()))
                    .sendJsonObject(new JsonObject().put("token", "secret-token").put("platform", "ios")
                            .put("appVersion", "2.0.0").put("locale", "en"))
                    .await(10, TimeUnit.SECONDS);
            UUID id = app.app().database().pool().withTransaction(tx -> app.app().push().outbox().enqueue(tx, user,
                    PushKind.MATCH_CONFIRMED, true, Samples.ids(PushKind.MATCH_CONFIRMED), Samples.PARAMS))
                    .await(10, TimeUnit.SECONDS);

            String admin = app.token(Role.ADMIN);
            JsonObject log = new JsonObject();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.getJsonArray("items", new io.vertx.core.json.JsonArray()).isEmpty() && System.nanoTime() < deadline) {
                var response = app.client().get("/v1/admin/push/dry-run").bearerTokenAuthentication(admin).send()
                        .await(10, TimeUnit.SECONDS);
                app.assertMatchesContract("listPushDryRun", response);
                log = response.bodyAsJsonObject();
            }
            assertEquals("dry-run", log.getString("mode"));
            JsonObject item = log.getJsonArray("items").getJsonObject(0);
            assertEquals(id.toString(), item.getString("messageId"));
            assertEquals("en", item.getString("locale"), "no profile: the device's language");
            assertEquals(id.toString(), item.getJsonObject("data").getString("messageId"));
            assertFalse(log.encode().contains("secret-token"), "never the token");
        }
    }
}
