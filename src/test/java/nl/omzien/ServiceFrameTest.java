package nl.omzien;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;
import nl.omzien.demo.DemoData;
import nl.omzien.demo.DemoUsers;
import static nl.omzien.testing.ProblemAssert.assertProblem;

import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("The service frame")
@ExtendWith(BlockedThreadWatch.class)
class ServiceFrameTest {
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("frame");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String token, String body) throws Exception {
    var request = app.client().request(method, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (body == null) {
      return request.send().await(10, TimeUnit.SECONDS);
    }
    request.putHeader("Content-Type", "application/json");
    return request.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("is ready when the database answers, and says so in the contract's shape")
  void readiness() throws Exception {
    var response = send(HttpMethod.GET, "/health/ready", null, null);
    assertEquals(200, response.statusCode());
    assertEquals("UP", response.bodyAsJsonObject().getJsonObject("checks").getString("database"));
    app.assertMatchesContract("getReadiness", response);
    assertEquals(200, send(HttpMethod.GET, "/health/live", null, null).statusCode());
  }

  @Test
  @DisplayName("returns a request id on every response, echoing a well-formed one from the client")
  void requestId() throws Exception {
    var response = app.client().get("/health/live").putHeader("X-Request-Id", "app-1234-abcd").send()
        .await(10, TimeUnit.SECONDS);
    assertEquals("app-1234-abcd", response.getHeader("X-Request-Id"));
    var generated = app.client().get("/health/live").putHeader("X-Request-Id", "<script>").send()
        .await(10, TimeUnit.SECONDS);
    assertNotNull(UUID.fromString(generated.getHeader("X-Request-Id")));
  }

  @Test
  @DisplayName("serves Prometheus metrics with HTTP timings and pool usage")
  void metrics() throws Exception {
    send(HttpMethod.GET, "/health/ready", null, null);
    var response = send(HttpMethod.GET, "/metrics", null, null);
    assertEquals(200, response.statusCode());
    String text = response.bodyAsString();
    assertTrue(text.contains("vertx_http_server_requests_total"), "HTTP request counter");
    assertTrue(text.contains("vertx_http_server_response_time_seconds"), "HTTP timings");
    assertTrue(text.contains("vertx_pool_"), "pool usage");
  }

  @Test
  @DisplayName("answers a body that breaks the contract with 400 problem+json naming the field")
  void validationError() throws Exception {
    var response = send(HttpMethod.PUT, "/v1/me", app.token(Role.RESIDENT), "{\"displayName\":\"\",\"language\":\"fr\"}");
    assertProblem(response, 400, "validation-failed");
    JsonArray errors = response.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(errors.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("field").equals("/displayName")),
        errors::encode);
    assertTrue(errors.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("field").equals("/language")),
        errors::encode);
    app.assertMatchesContract("putMe", response);
  }

  @Test
  @DisplayName("refuses fields the contract does not know (no mass assignment of roles)")
  void unknownFields() throws Exception {
    UUID user = UUID.randomUUID();
    String token = app.token(user, Set.of(Role.RESIDENT), Set.of());
    var response = send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"Ans\",\"roles\":[\"admin\"]}");
    assertProblem(response, 400, "validation-failed");
    assertTrue(response.bodyAsString().contains("/roles"));
    JsonObject me = send(HttpMethod.GET, "/v1/me", token, null).bodyAsJsonObject();
    assertEquals("", me.getString("displayName"), "nothing was written");
    assertEquals(new JsonArray().add("resident"), me.getJsonArray("roles"));
  }

  @Test
  @DisplayName("stores and returns my profile, keeping the roles from the signed token")
  void profile() throws Exception {
    UUID user = UUID.randomUUID();
    String token = app.token(user, Set.of(Role.RESIDENT, Role.VOLUNTEER), Set.of());
    var put = send(HttpMethod.PUT, "/v1/me", token, "{\"displayName\":\"  Henk \",\"language\":\"en\",\"phone\":\"+31612345678\"}");
    assertEquals(200, put.statusCode(), put::bodyAsString);
    app.assertMatchesContract("putMe", put);
    var get = send(HttpMethod.GET, "/v1/me", token, null);
    assertEquals(200, get.statusCode());
    app.assertMatchesContract("getMe", get);
    JsonObject me = get.bodyAsJsonObject();
    assertEquals("Henk", me.getString("displayName"));
    assertEquals("en", me.getString("language"));
    assertEquals(new JsonArray().add("resident").add("volunteer"), me.getJsonArray("roles"));
  }

  @Test
  @DisplayName("answers malformed JSON with 400 malformed-body")
  void malformedJson() throws Exception {
    assertProblem(send(HttpMethod.PUT, "/v1/me", app.token(Role.RESIDENT), "{\"displayName\":"), 400, "malformed-body");
  }

  @Test
  @DisplayName("answers a body over the limit with 413 problem+json")
  void bodyTooLarge() throws Exception {
    String huge = "{\"displayName\":\"" + "a".repeat(200_000) + "\"}";
    assertProblem(send(HttpMethod.PUT, "/v1/me", app.token(Role.RESIDENT), huge), 413, "payload-too-large");
  }

  @Test
  @DisplayName("answers a non-JSON body with 415 problem+json")
  void wrongMediaType() throws Exception {
    var response = app.client().put("/v1/me").bearerTokenAuthentication(app.token(Role.RESIDENT))
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("hello")).await(10, TimeUnit.SECONDS);
    assertProblem(response, 415, "unsupported-media-type");
  }

  @Test
  @DisplayName("answers an unknown route with 404 and a wrong method with 405, both problem+json")
  void unknownRouteAndMethod() throws Exception {
    assertProblem(send(HttpMethod.GET, "/v1/nothing-here", null, null), 404, "not-found");
    assertProblem(send(HttpMethod.DELETE, "/health/live", null, null), 405, "method-not-allowed");
  }

  @Test
  @DisplayName("answers a missing token with 401 and a WWW-Authenticate challenge")
  void missingToken() throws Exception {
    var response = send(HttpMethod.GET, "/v1/me", null, null);
    assertProblem(response, 401, "unauthorized");
    assertNotNull(response.getHeader("WWW-Authenticate"));
    app.assertMatchesContract("getMe", response);
  }

  @Test
  @DisplayName("answers a forged token (signed with another key) with 401")
  void forgedToken() throws Exception {
    Vertx vertx = app.clientVertx();
    String forged = new LocalTokens(vertx, "another-secret-another-secret-another-secret")
        .mint(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of(), Duration.ofHours(1));
    assertProblem(send(HttpMethod.GET, "/v1/me", forged, null), 401, "unauthorized");
  }

  @Test
  @DisplayName("answers a tampered payload, an unsigned (alg none) and an expired token with 401")
  void tamperedUnsignedExpired() throws Exception {
    String valid = app.token(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of());
    String[] parts = valid.split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put("roles", new JsonArray().add("admin"));
    String tamperedPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    assertProblem(send(HttpMethod.GET, "/v1/me", parts[0] + "." + tamperedPayload + "." + parts[2], null), 401,
        "unauthorized");

    String noneHeader = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    assertProblem(send(HttpMethod.GET, "/v1/me", noneHeader + "." + tamperedPayload + ".", null), 401, "unauthorized");

    payload.put("exp", System.currentTimeMillis() / 1000 - 3600);
    // Re-signing with the real key but an old exp: the signature is valid, the token is not.
    JsonObject claims = payload.copy();
    String expired = new LocalTokens(app.clientVertx(), TestApp.SECRET).mint(
        UUID.fromString(claims.getString("sub")), Set.of(Role.RESIDENT), Set.of(), Duration.ofSeconds(-3600));
    assertProblem(send(HttpMethod.GET, "/v1/me", expired, null), 401, "unauthorized");
    assertProblem(send(HttpMethod.GET, "/v1/me", "not-a-jwt", null), 401, "unauthorized");
  }

  @Test
  @DisplayName("a token accepted before (kept verified) is still refused once it expires")
  void verifiedTokenStillExpires() throws Exception {
    String shortLived = new LocalTokens(app.clientVertx(), TestApp.SECRET).mint(
        UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of(), Duration.ofSeconds(2));
    assertEquals(200, send(HttpMethod.GET, "/v1/me", shortLived, null).statusCode());
    assertEquals(200, send(HttpMethod.GET, "/v1/me", shortLived, null).statusCode(), "from the verified tokens");
    long exp = new JsonObject(new String(Base64.getUrlDecoder().decode(shortLived.split("\\.")[1]),
        StandardCharsets.UTF_8)).getLong("exp");
    while (System.currentTimeMillis() / 1000 < exp) {
      Thread.sleep(100);
    }
    assertProblem(send(HttpMethod.GET, "/v1/me", shortLived, null), 401, "unauthorized");
  }

  @Test
  @DisplayName("loads Utrecht (10 wijken, 111 buurten) and the demo people, with a named user for every role")
  void demoUsers() throws Exception {
    var rows = app.app().database().pool()
        .query("select roles from app_user where id in (" + DemoUsers.all().stream()
            .map(u -> "'" + u.id() + "'").reduce((a, b) -> a + "," + b).orElseThrow() + ")")
        .execute().await(10, TimeUnit.SECONDS);
    assertEquals(DemoUsers.all().size(), rows.size());
    for (Role role : Role.values()) {
      assertTrue(DemoUsers.all().stream().anyMatch(u -> u.roles().contains(role)), role + " has a demo user");
    }
    var counts = app.app().database().pool().query("""
            select (select count(*) from wijk) as wijken, (select count(*) from buurt) as buurten,
                   (select count(*) from resident_profile) as residents,
                   (select count(*) from volunteer_profile) as volunteers,
                   (select count(*) from resident_profile where wijk_code is null) as unplaced
            """).execute().await(10, TimeUnit.SECONDS).iterator().next();
    assertEquals(10, counts.getLong("wijken"));
    assertEquals(111, counts.getLong("buurten"));
    assertEquals(DemoData.RESIDENTS + 3, counts.getLong("residents"), "synthetic residents plus Ria, Karin, Henk");
    assertEquals(DemoData.VOLUNTEERS + 3, counts.getLong("volunteers"), "synthetic volunteers plus Henk, Sanne, Youssef");
    assertEquals(0, counts.getLong("unplaced"));
  }
}
