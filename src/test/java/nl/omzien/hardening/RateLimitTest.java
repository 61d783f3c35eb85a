package nl.omzien.hardening;

import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rate limits through the real server. One proxy is trusted, so each test plays its own client address with
 * X-Forwarded-For and the tests do not share a bucket.
 */
@DisplayName("Rate limits (OWASP API4: unrestricted resource consumption)")
@ExtendWith(BlockedThreadWatch.class)
class RateLimitTest {
  private static final int USER_BURST = 5;
  private static final int IP_BURST = 12;
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("ratelimit", Map.of(
        "OMZIEN_RATE_LIMIT_ENABLED", "true",
        "OMZIEN_RATE_LIMIT_USER_PER_MINUTE", "60",
        "OMZIEN_RATE_LIMIT_USER_BURST", Integer.toString(USER_BURST),
        "OMZIEN_RATE_LIMIT_IP_PER_MINUTE", "120",
        "OMZIEN_RATE_LIMIT_IP_BURST", Integer.toString(IP_BURST),
        "OMZIEN_TRUSTED_PROXIES", "1"));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> get(String path, String token, String clientIp) throws Exception {
    var request = app.client().get(path).putHeader("X-Forwarded-For", clientIp);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a user past their burst gets 429 rate-limited with Retry-After, as the contract says; others are not affected")
  void perUser() throws Exception {
    String ria = app.token(Role.RESIDENT);
    for (int i = 0; i < USER_BURST; i++) {
      assertEquals(200, get("/v1/me", ria, "198.51.100.1").statusCode());
    }
    var limited = get("/v1/me", ria, "198.51.100.1");
    assertProblem(limited, 429, "rate-limited");
    assertEquals("1", limited.getHeader("Retry-After"), "60 per minute: the next token is a second away");
    app.assertMatchesContract("getMe", limited);
    assertEquals(200, get("/v1/me", app.token(Role.RESIDENT), "198.51.100.1").statusCode(),
        "another user on the same address still gets through");
  }

  @Test
  @DisplayName("the same user from another address is still limited: the limit follows the person, not the phone")
  void userAcrossAddresses() throws Exception {
    String henk = app.token(UUID.randomUUID(), java.util.Set.of(Role.VOLUNTEER), java.util.Set.of());
    for (int i = 0; i < USER_BURST; i++) {
      assertEquals(200, get("/v1/me", henk, "198.51.100." + (10 + i)).statusCode());
    }
    assertProblem(get("/v1/me", henk, "198.51.100.99"), 429, "rate-limited");
  }

  @Test
  @DisplayName("after waiting Retry-After seconds the user is let through again")
  void recovers() throws Exception {
    String token = app.token(Role.RESIDENT);
    for (int i = 0; i < USER_BURST; i++) {
      get("/v1/me", token, "198.51.100.2");
    }
    var limited = get("/v1/me", token, "198.51.100.2");
    assertEquals(429, limited.statusCode());
    long waitMs = Long.parseLong(limited.getHeader("Retry-After")) * 1000;
    TimeUnit.MILLISECONDS.sleep(waitMs); // the limit is about time: waiting is what a client is asked to do
    assertEquals(200, get("/v1/me", token, "198.51.100.2").statusCode());
  }

  @Test
  @DisplayName("an address is limited before authentication, so a flood of bad or missing tokens also gets 429")
  void perAddress() throws Exception {
    int unauthorized = 0;
    for (int i = 0; i < IP_BURST; i++) {
      var response = get("/v1/me", i % 2 == 0 ? null : "not-a-token", "203.0.113.7");
      assertEquals(401, response.statusCode());
      unauthorized++;
    }
    assertEquals(IP_BURST, unauthorized);
    var limited = get("/v1/me", app.token(Role.RESIDENT), "203.0.113.7");
    assertProblem(limited, 429, "rate-limited");
    assertTrue(Integer.parseInt(limited.getHeader("Retry-After")) >= 1);
    assertProblem(get("/v1/nothing-here", null, "203.0.113.7"), 429, "rate-limited");
    assertEquals(401, get("/v1/me", null, "203.0.113.8").statusCode(), "a neighbouring address has its own bucket");
  }

  @Test
  @DisplayName("health and metrics are never limited, so probes and scrapers keep working during a flood")
  void healthExempt() throws Exception {
    for (int i = 0; i < IP_BURST + 1; i++) {
      get("/v1/me", null, "203.0.113.9");
    }
    assertEquals(429, get("/v1/me", null, "203.0.113.9").statusCode());
    for (int i = 0; i < 3 * IP_BURST; i++) {
      assertEquals(200, get("/health/live", null, "203.0.113.9").statusCode());
      assertEquals(200, get("/health/ready", null, "203.0.113.9").statusCode());
    }
    assertEquals(200, get("/metrics", null, "203.0.113.9").statusCode());
  }
}
