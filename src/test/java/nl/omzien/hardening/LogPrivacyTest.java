package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Everything the application logs while it handles tokens, addresses, notes and phone numbers - successful
 * requests, refused ones, forged tokens, bad input - captured at DEBUG for our own loggers, and searched for
 * those values. Logs go to places with weaker protection than the database (files, log shippers, support
 * screens); care data must not end up there.
 */
@DisplayName("No secrets or personal data in logs (OWASP API8)")
@ExtendWith(BlockedThreadWatch.class)
class LogPrivacyTest {

  @Test
  @DisplayName("tokens, addresses, notes, phone numbers and device tokens never appear in any log line")
  void nothingPersonalInLogs() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = context.getLogger("nl.omzien");
    Logger access = context.getLogger("omzien.access");
    Level oursBefore = ours.getLevel();
    Level accessBefore = access.getLevel();
    root.addAppender(captured);
    ours.setLevel(Level.DEBUG);
    access.setLevel(Level.DEBUG);
    List<String> secrets = new ArrayList<>();
    try (TestApp app = TestApp.start("logprivacy")) {
      World.withoutDemoVolunteers(app);
      World world = World.build(app, "log-privacy");
      secrets.addAll(world.tokens.values());
      secrets.addAll(List.of(world.secretAddress, world.secretNote, world.secretPhone, world.deviceToken,
          TestApp.SECRET, "52.1161"));

      String resident = world.token(Role.RESIDENT);
      String tokenTail = resident.substring(resident.lastIndexOf('.') + 1);
      secrets.add(tokenTail); // the signature alone is a credential too
      // Refused input that carries the personal data: bad phone, address too long, unknown fields, forged tokens.
      send(app, HttpMethod.PUT, "/v1/me", resident, new JsonObject().put("displayName", "Ria")
          .put("phone", world.secretPhone + " (mobiel)"));
      send(app, HttpMethod.PUT, "/v1/me/home", resident, new JsonObject()
          .put("address", world.secretAddress + "x".repeat(300)).put("location", new JsonObject()
              .put("lat", 52.1161).put("lon", 5.1132)));
      send(app, HttpMethod.PUT, "/v1/me/home", resident, new JsonObject().put("address", world.secretAddress)
          .put("location", new JsonObject().put("lat", 52.1161).put("lon", 50.1132)));
      send(app, HttpMethod.POST, "/v1/devices", resident, new JsonObject().put("token", world.deviceToken)
          .put("platform", "android").put("appVersion", "1.4.2").put("secret", world.secretNote));
      send(app, HttpMethod.GET, "/v1/me", resident.substring(0, resident.length() - 2) + "xx", null);
      send(app, HttpMethod.GET, "/v1/requests/" + world.secretPhone, resident, null);
      send(app, HttpMethod.GET, "/v1/activities/nearby?lat=52.1161&lon=5.1132&cursor=" + tokenTail, resident, null);
      app.client().get("/v1/me").putHeader("Authorization", "Bearer " + resident).send().await(10, TimeUnit.SECONDS);
    } finally {
      root.detachAppender(captured);
      ours.setLevel(oursBefore);
      access.setLevel(accessBefore);
    }

    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : captured.list) {
      StringBuilder text = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          text.append(' ').append(frame.getSTEAsString());
        }
      }
      lines.add(text.toString());
    }
    long accessLines = captured.list.stream().filter(e -> e.getLoggerName().equals("omzien.access")).count();
    assertTrue(accessLines >= 20, "the requests were logged (" + accessLines + " access lines): the check saw them");
    for (String secret : secrets) {
      List<String> leaks = lines.stream().filter(line -> line.contains(secret)).toList();
      assertEquals(List.of(), leaks, "logged: " + (secret.length() > 12 ? secret.substring(0, 12) + "..." : secret));
    }
  }

  private static void send(TestApp app, HttpMethod method, String path, String token, JsonObject body)
      throws Exception {
    var request = app.client().request(method, path).bearerTokenAuthentication(token);
    if (body == null) {
      request.send().await(10, TimeUnit.SECONDS);
    } else {
      request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()))
          .await(10, TimeUnit.SECONDS);
    }
  }
}
