package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import nl.omzien.config.HttpLimits;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What {@link HttpVerticle#serverOptions} puts in each connection's pipeline, on a real Vert.x server. */
class ServerOptionsTest {

  @Test
  @DisplayName("a connection's pipeline compresses answers and has no WebSocket extension handler")
  void pipeline() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<Class<?>> handlers = new CopyOnWriteArrayList<>();
      HttpLimits limits = HttpLimits.from(Map.of());
      HttpServer server = vertx.createHttpServer(HttpVerticle.serverOptions(limits))
          .requestHandler(request -> {
            if (request.connection() instanceof ConnectionBase base) {
              for (var entry : base.channel().pipeline()) {
                ChannelHandler handler = entry.getValue();
                handlers.add(handler.getClass());
              }
            }
            request.response().putHeader("Content-Type", "application/json")
                .end("{\"answer\":\"" + "x".repeat(2000) + "\"}");
          });
      int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
      HttpClientAgent client = vertx.createHttpClient();
      HttpClientResponse response = client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(request -> request.putHeader("Accept-Encoding", "gzip").send())
          .await(10, TimeUnit.SECONDS);

      assertEquals(200, response.statusCode());
      assertEquals("gzip", response.getHeader("Content-Encoding"), "a client that asks gets a compressed answer");
      assertTrue(handlers.stream().anyMatch(HttpContentCompressor.class::isAssignableFrom), handlers.toString());
      assertFalse(handlers.stream().anyMatch(WebSocketServerExtensionHandler.class::isAssignableFrom),
          "no WebSocket extension handler: " + handlers);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
