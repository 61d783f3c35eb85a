package nl.omzien.hardening;

import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import nl.omzien.auth.Role;
import nl.omzien.push.PushOptions;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OWASP API Security Top 10 (2023), item by item where it applies, derived from the contract where it can
 * be, so new operations are covered without new tests. Two populations: A owns things, B (same roles) tries
 * to reach them. API4 (resource consumption) also has {@code RateLimitTest}, {@code SlowClientTest} and
 * {@code ContractLimitsTest}; API10 (unsafe consumption of other APIs) is about FCM replies, covered in
 * {@code FcmPushSenderTest}; logs are checked in {@code LogPrivacyTest}.
 */
@DisplayName("OWASP API Security Top 10")
@ExtendWith(BlockedThreadWatch.class)
class OwaspApiTest {
  /** Objects every signed-in person may reach by design: activities are public to residents. */
  private static final Set<String> PUBLIC_OBJECTS = Set.of("getActivity", "createSignup");
  /**
   * Background workers (offer rounds, push delivery) paused, so that every table change during a check is the
   * request's own; they have their own tests.
   */
  private static final Map<String, String> QUIET_WORKERS = Map.of("OMZIEN_MATCH_TICK_MS", "0");
  private static TestApp app;

  private static PushOptions quietPush() {
    PushOptions defaults = PushOptions.fromEnvironment(Map.of());
    return new PushOptions(defaults.sender(), defaults.clock(), defaults.config().withPollInterval(Duration.ZERO));
  }
  private static Spec spec;
  private static World a;
  private static World b;
  private static TableFingerprint tables;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("owasp", QUIET_WORKERS, quietPush());
    spec = Spec.load(app.clientVertx());
    World.withoutDemoVolunteers(app);
    a = World.build(app, "owner-a");
    b = World.build(app, "other-b", World.WEST);
    tables = TableFingerprint.of(app.app().database().pool());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> send(Spec.Op op, String uri, String token, Object body) throws Exception {
    var request = app.client().request(HttpMethod.valueOf(op.method().toUpperCase()), uri);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (body == null) {
      return request.send().await(30, TimeUnit.SECONDS);
    }
    return request.putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(JsonText.encode(body, true))).await(30, TimeUnit.SECONDS);
  }

  /**
   * The operation's path with the given world's ids (other parameters, such as a date, get a valid value), or
   * null when the world has no id for one of them.
   */
  private static String pathWith(Spec.Op op, World world) {
    String path = op.path();
    for (Spec.Param param : op.params("path")) {
      List<String> ids = world.ids.get(param.name());
      String value;
      if (ids != null && !ids.isEmpty()) {
        value = ids.get(0);
      } else if (!"uuid".equals(spec.resolve(param.schema()).getString("format"))) {
        value = String.valueOf(new SchemaValues(spec, new java.util.Random(1)).valid(param.schema(), param.name()));
      } else {
        return null;
      }
      path = path.replace("{" + param.name() + "}", value);
    }
    return path;
  }

  /** The operation's example body, dated into the future and pointing at the world's objects. */
  private static Object exampleBody(Spec.Op op, World world) {
    if (!op.hasBody()) {
      return null;
    }
    Object body = op.bodyExample().map(SchemaValues::freshen)
        .orElseGet(() -> new SchemaValues(spec, new java.util.Random(1)).valid(op.bodySchema().get(), ""));
    if (body instanceof JsonObject object) {
      for (String name : new ArrayList<>(object.fieldNames())) {
        if (world.ids.containsKey(name)) {
          object.put(name, world.ids.get(name).get(0));
        }
      }
    }
    return body;
  }

  private static Role callerRole(Spec.Op op) {
    return op.roles().isEmpty() ? Role.RESIDENT : op.roles().get(0);
  }

  @Test
  @DisplayName("API1 broken object-level authorisation: every id-taking operation with someone else's id is 404, "
      + "shows nothing of theirs and changes nothing")
  void objectLevelAuthorisation() throws Exception {
    List<String> checked = new ArrayList<>();
    List<String> uncovered = new ArrayList<>();
    for (Spec.Op op : spec.operations()) {
      if (op.params("path").isEmpty() || PUBLIC_OBJECTS.contains(op.operationId())
          || op.roles().equals(List.of(Role.ADMIN))) {
        continue; // no object, a public one, or admins (who may act on everything by design)
      }
      String path = pathWith(op, a);
      if (path == null) {
        uncovered.add(op.operationId());
        continue;
      }
      Map<String, String> before = tables.take();
      Role role = callerRole(op);
      var response = send(op, path, b.token(role), exampleBody(op, b));
      assertProblem(response, 404, "not-found");
      String text = response.bodyAsString();
      for (List<String> ids : a.ids.values()) {
        ids.forEach(id -> assertFalse(text.contains(id), op + " named A's object " + id));
      }
      for (String secret : List.of(a.secretAddress, a.secretNote, a.secretPhone)) {
        assertFalse(text.contains(secret), op + " showed " + secret);
      }
      assertEquals(before, tables.take(), op + " changed something of A's");
      checked.add(op.operationId());
    }
    assertEquals(List.of(), uncovered, "id-taking operations whose ids World cannot provide: extend World");
    assertTrue(checked.size() >= 10, "checked " + checked);
    for (String operationId : PUBLIC_OBJECTS) {
      assertNotNull(spec.operation(operationId), "the public-object list names real operations");
    }
  }

  @Test
  @DisplayName("API1: the owner still gets their objects (the 404s above are about ownership, not broken paths)")
  void ownerReachesOwnObjects() throws Exception {
    for (String operationId : List.of("getHelpRequest", "getHelpRequestHistory", "listVenues",
        "listOrganisationActivities")) {
      Spec.Op op = spec.operation(operationId);
      var response = send(op, pathWith(op, a), a.token(callerRole(op)), null);
      assertEquals(200, response.statusCode(), operationId + ": " + response.bodyAsString());
      app.assertMatchesContract(operationId, response);
    }
  }

  @Test
  @DisplayName("API5 broken function-level authorisation: every role outside an operation's x-roles gets 403, "
      + "and anonymous callers 401, before the body is even read")
  void functionLevelAuthorisation() throws Exception {
    int checked = 0;
    for (Spec.Op op : spec.operations()) {
      String uri = op.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
      if (op.authenticated()) {
        var anonymous = send(op, uri, null, new JsonObject().put("anything", 1));
        assertProblem(anonymous, 401, "unauthorized");
        assertNotNull(anonymous.getHeader("WWW-Authenticate"));
        checked++;
      }
      if (op.roles().isEmpty()) {
        continue;
      }
      for (Role role : EnumSet.complementOf(EnumSet.copyOf(op.roles()))) {
        var response = send(op, uri, b.token(role), new JsonObject().put("anything", 1));
        assertProblem(response, 403, "forbidden");
        app.assertMatchesContract(op.operationId(), response);
        checked++;
      }
    }
    assertTrue(checked > 50, "checked " + checked);
  }

  @Test
  @DisplayName("API3 mass assignment: fields the server owns (status, owner, ids, score, volunteer, timestamps) "
      + "cannot be sent, on any operation with a body; nothing is written")
  void massAssignment() throws Exception {
    int checked = 0;
    for (Spec.Op op : spec.operations()) {
      if (!op.hasBody()) {
        continue;
      }
      String path = pathWith(op, a);
      if (path == null) {
        path = op.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
      }
      for (String field : serverOwnedFields(op)) {
        Object body = exampleBody(op, a);
        if (!(body instanceof JsonObject object)) {
          continue;
        }
        object.put(field, field.endsWith("Id") || field.equals("id") ? b.users.get(Role.ADMIN).toString()
            : field.equals("roles") ? new JsonArray().add("admin") : "matched");
        Map<String, String> before = tables.take();
        var response = send(op, path, a.token(callerRole(op)), object);
        assertProblem(response, 400, "validation-failed", "/" + field);
        assertEquals(before, tables.take(), op + " wrote something with " + field);
        checked++;
      }
    }
    assertTrue(checked > 30, "checked " + checked);
  }

  /**
   * Properties of the operation's success responses that its request body does not have (the server sets them),
   * plus names an attacker would try.
   */
  private static Set<String> serverOwnedFields(Spec.Op op) {
    Set<String> fields = new LinkedHashSet<>(List.of("status", "ownerId", "score", "volunteerId", "roles"));
    JsonObject requestSchema = spec.resolve(op.bodySchema().get());
    Set<String> accepted = requestSchema.getJsonObject("properties", new JsonObject()).fieldNames();
    JsonObject responses = op.raw().getJsonObject("responses");
    for (String status : responses.fieldNames()) {
      if (!status.startsWith("2")) {
        continue;
      }
      JsonObject content = spec.resolve(responses.getJsonObject(status)).getJsonObject("content", new JsonObject());
      JsonObject json = content.getJsonObject("application/json");
      if (json != null && json.getJsonObject("schema") != null) {
        fields.addAll(spec.resolve(json.getJsonObject("schema")).getJsonObject("properties", new JsonObject())
            .fieldNames());
      }
    }
    fields.removeAll(accepted);
    return fields;
  }

  @Test
  @DisplayName("API3 excessive data exposure: every object a success response can carry is closed "
      + "(additionalProperties false) and none has a place for tokens, passwords or secrets")
  void closedResponseSchemas() {
    List<String> open = new ArrayList<>();
    for (Spec.Op op : spec.operations()) {
      JsonObject responses = op.raw().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        if (!status.startsWith("2")) {
          continue;
        }
        JsonObject content = spec.resolve(responses.getJsonObject(status)).getJsonObject("content", new JsonObject());
        JsonObject json = content.getJsonObject("application/json");
        if (json != null && json.getJsonObject("schema") != null) {
          walkClosed(json.getJsonObject("schema"), op.operationId() + " " + status, open, new LinkedHashSet<>());
        }
      }
    }
    assertEquals(List.of(), open);
  }

  private static void walkClosed(JsonObject schemaOrRef, String where, List<String> problems, Set<String> seen) {
    String ref = schemaOrRef.getString("$ref");
    if (ref != null && !seen.add(ref)) {
      return;
    }
    JsonObject schema = spec.resolve(schemaOrRef);
    for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
      for (Object part : schema.getJsonArray(combinator, new JsonArray())) {
        walkClosed((JsonObject) part, where, problems, seen);
      }
    }
    if (schema.containsKey("properties")) {
      if (!Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
        problems.add(where + ": " + (ref == null ? "an inline object" : ref) + " allows extra properties");
      }
      for (String name : schema.getJsonObject("properties").fieldNames()) {
        if (name.toLowerCase().matches(".*(token|password|secret|credential).*")) {
          problems.add(where + ": " + ref + " has a property '" + name + "'");
        }
        walkClosed(schema.getJsonObject("properties").getJsonObject(name), where, problems, seen);
      }
    }
    if (schema.getValue("items") instanceof JsonObject items) {
      walkClosed(items, where, problems, seen);
    }
    if (schema.getValue("additionalProperties") instanceof JsonObject values) {
      walkClosed(values, where, problems, seen);
    }
  }

  // ---- API2: broken authentication -----------------------------------------------------------------------

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String sign(String header, JsonObject claims, String secret, String algorithm) throws Exception {
    String signingInput = b64(header) + "." + b64(claims.encode());
    Mac mac = Mac.getInstance(algorithm);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
    return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  private static JsonObject claims(UUID subject) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", subject.toString()).put("iss", "omzien-local").put("aud", "omzien")
        .put("iat", now).put("exp", now + 3600).put("roles", new JsonArray().add("admin")).put("wijken", new JsonArray());
  }

  @Test
  @DisplayName("API2 broken authentication: forged, confused and stale tokens are 401 and create no user")
  void brokenAuthentication() throws Exception {
    String hs256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String secret = TestApp.SECRET;
    Map<String, java.util.function.Function<UUID, String>> forgeries = new java.util.LinkedHashMap<>();
    forgeries.put("control: a correctly signed token", s -> unchecked(() -> sign(hs256, claims(s), secret, "HmacSHA256")));
    forgeries.put("wrong issuer", s -> unchecked(() -> sign(hs256, claims(s).put("iss", "https://evil.example"), secret,
        "HmacSHA256")));
    forgeries.put("Firebase issuer while Firebase is off", s -> unchecked(() -> sign(hs256,
        claims(s).put("iss", "https://securetoken.google.com/omzien"), secret, "HmacSHA256")));
    forgeries.put("wrong audience", s -> unchecked(() -> sign(hs256, claims(s).put("aud", "another-app"), secret,
        "HmacSHA256")));
    forgeries.put("no expiry", s -> unchecked(() -> sign(hs256, claims(s).copy().put("exp", null), secret,
        "HmacSHA256")));
    forgeries.put("expired an hour ago", s -> unchecked(() -> sign(hs256,
        claims(s).put("exp", System.currentTimeMillis() / 1000 - 3600), secret, "HmacSHA256")));
    forgeries.put("not valid before next year", s -> unchecked(() -> sign(hs256,
        claims(s).put("nbf", System.currentTimeMillis() / 1000 + 365 * 86400), secret, "HmacSHA256")));
    forgeries.put("subject is not a user id", s -> unchecked(() -> sign(hs256, claims(s).put("sub", "admin"), secret,
        "HmacSHA256")));
    forgeries.put("alg none", s -> b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims(s).encode()) + ".");
    forgeries.put("alg None with a signature", s -> unchecked(() -> {
      String valid = sign(hs256, claims(s), secret, "HmacSHA256");
      return b64("{\"alg\":\"None\"}") + valid.substring(valid.indexOf('.'));
    }));
    forgeries.put("HS512 with the same secret", s -> unchecked(() -> sign("{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
        claims(s), secret, "HmacSHA512")));
    forgeries.put("RS256 header over an HMAC signature (key confusion)", s -> unchecked(() ->
        sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims(s), secret, "HmacSHA256")));
    forgeries.put("another secret", s -> unchecked(() -> sign(hs256, claims(s),
        "another-secret-another-secret-another-secret", "HmacSHA256")));
    forgeries.put("empty secret", s -> unchecked(() -> sign(hs256, claims(s), " ", "HmacSHA256")));
    forgeries.put("signature stripped", s -> unchecked(() -> {
      String valid = sign(hs256, claims(s), secret, "HmacSHA256");
      return valid.substring(0, valid.lastIndexOf('.') + 1);
    }));
    forgeries.put("payload swapped under a valid signature", s -> unchecked(() -> {
      String[] valid = sign(hs256, claims(s), secret, "HmacSHA256").split("\\.");
      return valid[0] + "." + b64(claims(s).put("sub", UUID.randomUUID().toString()).encode()) + "." + valid[2];
    }));
    forgeries.put("kid path traversal", s -> unchecked(() -> sign("{\"alg\":\"HS256\",\"kid\":\"../../dev/null\"}",
        claims(s), "\\0", "HmacSHA256")));
    forgeries.put("four parts", s -> unchecked(() -> sign(hs256, claims(s), secret, "HmacSHA256") + ".extra"));
    forgeries.put("garbage", s -> "\u00ff\u00fe not a token");
    forgeries.put("empty", s -> "");

    for (var forgery : forgeries.entrySet()) {
      UUID subject = UUID.randomUUID();
      String token = forgery.getValue().apply(subject);
      var response = app.client().get("/v1/me").putHeader("Authorization", "Bearer " + token).send()
          .await(10, TimeUnit.SECONDS);
      long users = app.app().database().pool().preparedQuery("select count(*) from app_user where id::text = $1")
          .execute(io.vertx.sqlclient.Tuple.of(subject.toString())).await(10, TimeUnit.SECONDS).iterator().next()
          .getLong(0);
      if (forgery.getKey().startsWith("control")) {
        assertEquals(200, response.statusCode(), "the forging itself is right: " + response.bodyAsString());
        continue;
      }
      assertProblem(response, 401, "unauthorized");
      assertNotNull(response.getHeader("WWW-Authenticate"), forgery.getKey());
      assertEquals(0, users, forgery.getKey() + " created a user");
    }
  }

  @Test
  @DisplayName("API2: a token is only taken from the Authorization header, never from the query string or a cookie")
  void tokenOnlyInHeader() throws Exception {
    String token = a.token(Role.ADMIN);
    assertProblem(app.client().get("/v1/me?access_token=" + token).send().await(10, TimeUnit.SECONDS), 401,
        "unauthorized");
    assertProblem(app.client().get("/v1/me").putHeader("Cookie", "access_token=" + token).send()
        .await(10, TimeUnit.SECONDS), 401, "unauthorized");
    assertProblem(app.client().get("/v1/me").putHeader("Authorization", "Basic " + token).send()
        .await(10, TimeUnit.SECONDS), 401, "unauthorized");
    var huge = app.client().get("/v1/me").putHeader("Authorization", "Bearer " + "a".repeat(20_000)).send()
        .await(10, TimeUnit.SECONDS);
    assertProblem(huge, 431, "headers-too-large");
  }

  private interface Forge {
    String make() throws Exception;
  }

  private static String unchecked(Forge forge) {
    try {
      return forge.make();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- API8: security misconfiguration ---------------------------------------------------------------------

  @Test
  @DisplayName("API8 security misconfiguration: every kind of response has the security headers, "
      + "no server banner, no CORS for strangers, no TRACE")
  void securityHeaders() throws Exception {
    List<HttpResponse<Buffer>> responses = new ArrayList<>();
    responses.add(app.client().get("/health/live").send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/me").bearerTokenAuthentication(a.token(Role.RESIDENT)).send()
        .await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/me").send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/nothing").send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().delete("/health/live").send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/requests/%zz").bearerTokenAuthentication(a.token(Role.RESIDENT)).send()
        .await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/me?" + "x=1&".repeat(3_000)).send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().request(HttpMethod.TRACE, "/v1/me").send().await(10, TimeUnit.SECONDS));
    responses.add(app.client().get("/v1/me").putHeader("Origin", "https://evil.example")
        .bearerTokenAuthentication(a.token(Role.RESIDENT)).send().await(10, TimeUnit.SECONDS));
    List<Integer> statuses = responses.stream().map(HttpResponse::statusCode).toList();
    assertEquals(List.of(200, 200, 401, 404, 405, 400, 414, 405, 200), statuses);
    for (HttpResponse<Buffer> response : responses) {
      String what = "status " + response.statusCode();
      assertEquals("nosniff", response.getHeader("X-Content-Type-Options"), what);
      assertEquals("DENY", response.getHeader("X-Frame-Options"), what);
      assertEquals("no-store", response.getHeader("Cache-Control"), what);
      assertEquals("no-referrer", response.getHeader("Referrer-Policy"), what);
      assertNotNull(response.getHeader("Content-Security-Policy"), what);
      assertNull(response.getHeader("Server"), what);
      assertNull(response.getHeader("X-Powered-By"), what);
      assertNull(response.getHeader("Access-Control-Allow-Origin"), what);
      assertNotNull(response.getHeader("X-Request-Id"), what);
      if (response.statusCode() >= 400) {
        assertTrue(response.getHeader("Content-Type").startsWith("application/problem+json"), what);
      }
    }
  }

  @Test
  @DisplayName("API9 improper inventory: paths that often leak (admin consoles, actuators, dot-files) do not exist")
  void noHiddenEndpoints() throws Exception {
    for (String path : List.of("/admin", "/actuator", "/actuator/env", "/.env", "/.git/config", "/swagger-ui",
        "/v1/debug", "/v2/me", "/V1/ME", "/v1/users", "/openapi.json", "/console")) {
      var response = app.client().get(path).send().await(10, TimeUnit.SECONDS);
      assertTrue(response.statusCode() == 404 || response.statusCode() == 401, path + " " + response.statusCode());
      assertTrue(response.getHeader("Content-Type").startsWith("application/problem+json"), path);
    }
  }
}
