package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  /**
   * An embedded channel that runs its loop's queued tasks only when told to (runPendingTasks: the end of the turn).
   * Without auto-read, a read-complete event does not ask for the next read, which in EmbeddedChannel runs them.
   */
  private static EmbeddedChannel embedded(ChannelHandler... handlers) {
    EmbeddedChannel channel = new EmbeddedChannel(handlers);
    channel.config().setAutoRead(false);
    return channel;
  }

  /** Answers a read at once, as Vert.x does for a request answered from memory: two writes, two flushes. */
  private static final class AnswerInTheRead extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // Both writes first: EmbeddedChannel runs the loop's queued tasks on every write that reaches its socket,
      // which a real event loop does only after the turn's reads.
      ctx.write(msg + ": head");
      ctx.write(msg + ": body");
      ctx.flush();
      ctx.flush();
    }
  }

  @Test
  @DisplayName("answers written in their request's read reach the socket once, after the turn's other work")
  void oneFlushPerTurn() {
    SocketFlushes socket = new SocketFlushes();
    EmbeddedChannel channel = embedded(socket, new BatchedFlush(), new AnswerInTheRead());
    channel.pipeline().fireChannelRead("request 1");
    channel.pipeline().fireChannelReadComplete();
    assertEquals(0, socket.count, "nothing flushed while the turn runs");
    assertNull(channel.readOutbound(), "nothing sent while the turn runs");

    channel.runPendingTasks(); // the end of the turn
    assertEquals(1, socket.count, "two flushes in one turn: one flush of the socket");
    assertEquals("request 1: head", channel.readOutbound());
    assertEquals("request 1: body", channel.readOutbound());

    channel.pipeline().fireChannelRead("request 2");
    channel.pipeline().fireChannelReadComplete();
    channel.runPendingTasks();
    assertEquals(2, socket.count, "the next turn flushes again");
    assertEquals("request 2: head", channel.readOutbound());
    assertEquals("request 2: body", channel.readOutbound());
    assertFalse(channel.finish(), "nothing left over");
  }

  @Test
  @DisplayName("an answer written outside its connection's read (after a database reply) is flushed at once")
  void laterAnswersAreNotHeldBack() {
    SocketFlushes socket = new SocketFlushes();
    EmbeddedChannel channel = embedded(socket, new BatchedFlush());
    channel.pipeline().fireChannelRead("request");
    channel.pipeline().fireChannelReadComplete();
    assertEquals("request", channel.readInbound(), "the request goes on to the handlers after it");

    channel.pipeline().write("answer");
    channel.pipeline().flush();
    assertEquals(1, socket.count, "flushed without waiting for the end of the turn");
    assertEquals("answer", channel.readOutbound());
    channel.runPendingTasks();
    assertEquals(1, socket.count, "and no second flush afterwards");
    assertFalse(channel.finish(), "nothing left over");
  }

  @Test
  @DisplayName("a close sends an answer whose flush is waiting for the end of the turn, not dropping it")
  void closeFlushesFirst() {
    AtomicReference<ChannelFuture> written = new AtomicReference<>();
    EmbeddedChannel channel = embedded(new BatchedFlush(), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        written.set(ctx.write("answer"));
        ctx.flush();
        ctx.close();
      }
    });
    channel.pipeline().fireChannelRead("request");
    assertTrue(written.get().isSuccess(), "the write completed, not failed by the close: " + written.get().cause());
    assertEquals("answer", channel.readOutbound());
    channel.runPendingTasks(); // the deferred flush finds nothing left to do
    assertNull(channel.readOutbound());
    assertFalse(channel.isOpen());
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
