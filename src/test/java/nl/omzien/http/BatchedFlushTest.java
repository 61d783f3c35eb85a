package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Flushes deferred to the end of the event loop's turn")
class BatchedFlushTest {

  /** Counts the flushes that reach the socket (it sits between the handler under test and the channel's head). */
  private static final class SocketFlushes extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      count++;
      ctx.flush();
    }
  }

  @Test
  @DisplayName("the flushes of one turn reach the socket once, after the turn's other work")
  void oneFlushPerTurn() {
    SocketFlushes socket = new SocketFlushes();
    EmbeddedChannel channel = new EmbeddedChannel(socket, new BatchedFlush());
    // The pipeline's own write and flush: EmbeddedChannel's flush() and its socket's writes run the loop's queued
    // tasks at once, which a real event loop does only after the turn's reads.
    channel.pipeline().write("first");
    channel.pipeline().write("second");
    channel.pipeline().flush();
    channel.pipeline().flush();
    assertEquals(0, socket.count, "nothing flushed while the turn runs");
    assertNull(channel.readOutbound(), "nothing sent while the turn runs");

    channel.runPendingTasks();
    assertEquals(1, socket.count, "two flushes in one turn: one flush of the socket");
    assertEquals("first", channel.readOutbound());
    assertEquals("second", channel.readOutbound());

    channel.pipeline().write("third");
    channel.pipeline().flush();
    channel.runPendingTasks();
    assertEquals(2, socket.count, "the next turn flushes again");
    assertEquals("third", channel.readOutbound());
    assertFalse(channel.finish(), "nothing left over");
  }

  @Test
  @DisplayName("a close sends what was written and flushed before it, not dropping it")
  void closeFlushesFirst() {
    EmbeddedChannel channel = new EmbeddedChannel(new BatchedFlush());
    ChannelFuture written = channel.pipeline().write("answer");
    channel.pipeline().flush();
    channel.pipeline().close();
    assertTrue(written.isSuccess(), "the write completed, not failed by the close: " + written.cause());
    assertEquals("answer", channel.readOutbound());
    channel.runPendingTasks(); // the deferred flush finds nothing left to do
    assertNull(channel.readOutbound());
  }

  @Test
  @DisplayName("on a Vert.x server: pipelined requests and a Connection: close answer all arrive whole")
  void realServer() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger n = new AtomicInteger();
      HttpServer server = vertx.createHttpServer()
          .connectionHandler(BatchedFlush::install)
          .requestHandler(request -> request.response().end("answer " + n.incrementAndGet() + " " + request.path()));
      int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();

      String text;
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to the close
      }

      assertNotNull(text);
      int a = text.indexOf("answer 1 /a");
      int b = text.indexOf("answer 2 /b");
      int c = text.indexOf("answer 3 /c");
      assertTrue(a > 0 && b > a && c > b, "three answers, in order, the last before the close: " + text);
      assertTrue(text.endsWith("answer 3 /c"), text);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
