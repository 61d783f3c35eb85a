package nl.omzien;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import nl.omzien.auth.Role;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.config.OmzienConfig;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Start and stop on the embedded database")
@ExtendWith(BlockedThreadWatch.class)
class LifecycleTest {

  private static OmzienConfig embeddedConfig(Path dataDir) {
    return OmzienConfig.from(Map.of(
        "OMZIEN_DATA_DIR", dataDir.toString(),
        "OMZIEN_HTTP_PORT", "0",
        "OMZIEN_HTTP_INSTANCES", "2",
        "OMZIEN_SHUTDOWN_GRACE_SECONDS", "2"));
  }

  @Test
  @DisplayName("keeps its data across restarts, loads demo data once, and leaves no postgres process behind")
  void restartReusesDataAndStopsPostgres() throws Exception {
    Path dataDir = TestApp.tempDir();
    UUID marker = UUID.randomUUID();

    Omzien first = Omzien.start(embeddedConfig(dataDir)).await(120, TimeUnit.SECONDS);
    long firstPid = first.database().embedded().orElseThrow().pid();
    assertTrue(first.config().demo(), "the embedded database defaults to demo mode");
    assertEquals(200, ready(first));
    first.database().pool()
        .preparedQuery("insert into app_user (id, display_name) values ($1, 'marker')")
        .execute(Tuple.of(marker)).await(10, TimeUnit.SECONDS);
    long usersAfterFirst = countUsers(first);
    first.stop().await(60, TimeUnit.SECONDS);
    assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false),
        "the embedded postmaster is gone after a graceful stop");

    Omzien second = Omzien.start(embeddedConfig(dataDir)).await(120, TimeUnit.SECONDS);
    long secondPid = second.database().embedded().orElseThrow().pid();
    try {
      assertEquals(200, ready(second));
      assertEquals(usersAfterFirst, countUsers(second), "demo data is not loaded twice");
      assertEquals(1, second.database().pool().preparedQuery("select 1 from app_user where id = $1")
          .execute(Tuple.of(marker)).await(10, TimeUnit.SECONDS).size(), "data written before the restart is kept");
    } finally {
      second.stop().await(60, TimeUnit.SECONDS);
    }
    assertFalse(ProcessHandle.of(secondPid).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  @DisplayName("stops accepting at once but lets a request in flight finish during a graceful stop")
  void inFlightRequestFinishes() throws Exception {
    TestApp app = TestApp.start("inflight", Map.of("OMZIEN_SHUTDOWN_GRACE_SECONDS", "20"));
    int port = app.app().httpPort();
    Vertx clientVertx = Vertx.vertx();
    try {
      HttpClient client = clientVertx.createHttpClient();
      // A request whose body is still arriving when the stop begins: the server has accepted it.
      HttpClientRequest request = client.request(HttpMethod.PUT, port, "localhost", "/v1/me")
          .await(10, TimeUnit.SECONDS);
      request.setChunked(true)
          .putHeader("Authorization", "Bearer " + app.token(Role.RESIDENT))
          .putHeader("Content-Type", "application/json");
      request.write("{\"displayName\":").await(10, TimeUnit.SECONDS);
      Future<HttpClientResponse> response = request.response();
      // Written is not yet received: wait until the server counts the request as active before stopping it
      // (2: ours and the /metrics request that reads the count).
      long received = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (activeRequests(clientVertx, port) < 2) {
        assertTrue(System.nanoTime() < received, "the server received the request head");
        Thread.sleep(20);
      }

      Future<Void> stopped = app.app().stop();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (accepts(clientVertx, port)) {
        assertTrue(System.nanoTime() < deadline, "the server stops accepting new requests");
      }
      request.end("\"Late but welcome\"}");
      assertEquals(200, response.await(15, TimeUnit.SECONDS).statusCode(), "the request in flight is answered");
      stopped.await(30, TimeUnit.SECONDS);
    } finally {
      clientVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The server's {@code vertx_http_server_active_requests}, summed over its labels, from {@code /metrics}. */
  private static double activeRequests(Vertx vertx, int port) throws Exception {
    String metrics = WebClient.create(vertx).get(port, "localhost", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString();
    return metrics.lines().filter(line -> line.startsWith("vertx_http_server_active_requests"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static boolean accepts(Vertx vertx, int port) {
    try {
      vertx.createNetClient().connect(port, "localhost").await(2, TimeUnit.SECONDS).close();
      return true;
    } catch (Exception refused) {
      return false;
    }
  }

  private static int ready(Omzien app) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return WebClient.create(vertx).get(app.httpPort(), "localhost", "/health/ready").send()
          .await(10, TimeUnit.SECONDS).statusCode();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static long countUsers(Omzien app) throws Exception {
    return app.database().pool().query("select count(*) from app_user").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
