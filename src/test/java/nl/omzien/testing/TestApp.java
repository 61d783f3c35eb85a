package nl.omzien.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import com.google.firebase.FirebaseApp;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;
import nl.omzien.config.OmzienConfig;
import nl.omzien.http.Contract;
import nl.omzien.push.PushOptions;

/**
 * The whole application on a fresh database and a free port, started exactly as {@code Main} starts it, plus
 * a web client, token minting and response validation against the contract. Tests call it from the JUnit
 * thread (never an event loop), so waiting on futures here is fine.
 */
public final class TestApp implements AutoCloseable {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  private final Omzien app;
  private final Vertx clientVertx;
  private final WebClient client;
  private final LocalTokens tokens;
  private final ResponseValidator responses;
  private final OpenAPIContract contract;

  private TestApp(Omzien app) throws Exception {
    this.app = app;
    this.clientVertx = Vertx.vertx();
    this.client = WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("localhost").setDefaultPort(app.httpPort()));
    this.tokens = new LocalTokens(clientVertx, SECRET);
    this.contract = Contract.load(clientVertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
    this.responses = ResponseValidator.create(clientVertx, contract);
  }

  /** Starts the app on a new database of the shared test server. */
  public static TestApp start(String name) throws Exception {
    return start(name, Map.of());
  }

  public static TestApp start(String name, Map<String, String> extraEnv) throws Exception {
    return start(name, extraEnv, PushOptions.fromEnvironment(Map.of()), Optional.empty());
  }

  /** Starts the app with a given push set-up (sender on a mock FCM transport, clock, outbox settings). */
  public static TestApp start(String name, Map<String, String> extraEnv, PushOptions push) throws Exception {
    return start(name, extraEnv, push, Optional.empty());
  }

  /** Starts with a FirebaseApp for ID tokens (on a mock transport). */
  public static TestApp start(String name, Map<String, String> extraEnv, Optional<FirebaseApp> firebaseAuth)
      throws Exception {
    return start(name, extraEnv, PushOptions.fromEnvironment(Map.of()), firebaseAuth);
  }

  private static TestApp start(String name, Map<String, String> extraEnv, PushOptions push,
                               Optional<FirebaseApp> firebaseAuth) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", TestDatabase.newDatabaseUrl(name));
    env.put("OMZIEN_DEMO", "true");
    env.put("OMZIEN_JWT_SECRET", SECRET);
    env.put("OMZIEN_HTTP_PORT", "0");
    env.put("OMZIEN_HTTP_INSTANCES", "2");
    env.put("OMZIEN_DATA_DIR", Files.createTempDirectory("omzien-test").toString());
    env.put("OMZIEN_SHUTDOWN_GRACE_SECONDS", "2");
    // Every test class drives its app from one address, often with bursts: the limits have their own tests.
    env.put("OMZIEN_RATE_LIMIT_ENABLED", "false");
    env.putAll(extraEnv);
    return new TestApp(Omzien.start(OmzienConfig.from(env), push, firebaseAuth).await(60, TimeUnit.SECONDS));
  }

  /** The database this app runs on, as a DATABASE_URL (to start a second instance, or restart, on it). */
  public String databaseUrl() {
    OmzienConfig.DatabaseUrl db = app.config().database().orElseThrow();
    return "postgres://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database();
  }

  public WebClient client() {
    return client;
  }

  public Omzien app() {
    return app;
  }

  public Vertx clientVertx() {
    return clientVertx;
  }

  /** A valid local token for a (new) user with the given roles. */
  public String token(UUID userId, Set<Role> roles, Set<String> wijken) {
    return tokens.mint(userId, roles, wijken, Duration.ofHours(1));
  }

  public String token(Role... roles) {
    return token(UUID.randomUUID(), Set.of(roles), Set.of());
  }

  /** Fails when the response does not match what the contract declares for this operation and status. */
  public void assertMatchesContract(String operationId, HttpResponse<Buffer> response) throws Exception {
    // The router's view maps problem+json to application/json and other types it cannot read to text/plain
    // (see Contract); validate against that view.
    String declared = Contract.routerMediaType(response.getHeader("Content-Type"));
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach(entry -> headers.put(entry.getKey(), entry.getValue()));
    if (response.body() != null && MediaType.TEXT_PLAIN.equals(declared)) {
      // vertx-openapi 5.0 cannot validate a text body (it hands the schema validator a Buffer): check that the
      // status and media type are declared, and the text against the declared schema directly.
      var declaredResponse = contract.operation(operationId).getResponse(response.statusCode());
      if (declaredResponse == null || declaredResponse.getContent().get(declared) == null) {
        throw new AssertionError(operationId + " declares no " + response.statusCode() + " " + declared);
      }
      JsonSchema schema = declaredResponse.getContent().get(declared).getSchema();
      OutputUnit result = contract.getSchemaRepository().validator(schema).validate(response.bodyAsString());
      if (!result.getValid()) {
        throw new AssertionError(operationId + " " + response.statusCode() + " body: " + result.getErrors());
      }
      return;
    }
    ValidatableResponse validatable = response.body() == null
        ? ValidatableResponse.create(response.statusCode(), headers)
        : ValidatableResponse.create(response.statusCode(), headers, response.body(), declared);
    responses.validate(validatable, operationId).await(10, TimeUnit.SECONDS);
  }

  public static JsonObject json(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject();
  }

  public static Path tempDir() throws Exception {
    return Files.createTempDirectory("omzien-test");
  }

  @Override
  public void close() throws Exception {
    try {
      app.stop().await(60, TimeUnit.SECONDS);
    } finally {
      client.close();
      clientVertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
