package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RequestLogTest {
  private Vertx vertx;
  private HttpServer server;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger access;
  private Level accessBefore;

  @BeforeEach
  void start() throws Exception {
    access = (Logger) LoggerFactory.getLogger("omzien.access");
    captured.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    captured.start();
    access.addAppender(captured);
    accessBefore = access.getLevel();
    access.setLevel(Level.INFO); // the tests' logback configuration may keep the access log quiet
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(RequestLog.INSTANCE);
    router.get("/slow").handler(ctx -> {
      RequestLog.route(ctx, "/slow");
      vertx.setTimer(300, t -> ctx.response().setStatusCode(201).end("done"));
    });
    server = vertx.createHttpServer().requestHandler(router).listen(0).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    access.detachAppender(captured);
    access.setLevel(accessBefore);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private List<String> lines() {
    return captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  @DisplayName("an answered request is logged with its status; one whose client left first is logged 499, not 200")
  void clientClosedIsNotLoggedAsAnswered() throws Exception {
    String request = "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n";
    // One client waits for its answer; the other sends the same request and closes before the answer comes.
    String reply = vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(),
            "localhost", "/slow")
        .compose(r -> r.send())
        .map(r -> r.statusCode() + "")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    NetSocket gone = vertx.createNetClient().connect(server.actualPort(), "localhost").await(10, TimeUnit.SECONDS);
    gone.write(request);
    Thread.sleep(100);
    gone.close();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (lines().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<String> lines = lines();
    assertEquals(2, lines.size(), lines.toString());
    assertEquals("201", reply);
    assertEquals(1, lines.stream().filter(l -> l.startsWith("GET /slow 201 ")).count(), lines.toString());
    assertEquals(1, lines.stream().filter(l -> l.startsWith("GET /slow 499 ")).count(), lines.toString());
  }
}
