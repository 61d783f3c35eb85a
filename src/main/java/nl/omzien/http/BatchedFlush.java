package nl.omzien.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Defers a connection's socket flushes to the end of its event loop's current turn, so the answers that one turn
 * writes (a loop reads a batch of ready connections, then runs its queued tasks) leave in one burst after the
 * batch instead of one by one between the requests.
 *
 * <p>Why (issue #6, README "Load runs" item 26): every answer's write wakes the client's thread if it sleeps in
 * {@code epoll_wait}, and on a loopback connection (a load generator, or a proxy on the same host) that wake-up is
 * paid on the writing core, inside the write. Answers written one by one while a turn works through 20-30 requests
 * wake the client once per answer; written together at the end of the turn, the first wakes it and the rest find it
 * awake. The cost is latency: an answer waits at most for the rest of its turn (tens of microseconds per request in
 * it), never for another turn, because the flush is a task of the same loop, and those run after every batch.
 *
 * <p>A close flushes first, so an answer written just before {@code Connection: close} still leaves.
 * One handler per connection, on the connection's event loop only, so no locking.
 */
final class BatchedFlush extends ChannelOutboundHandlerAdapter {
  static final String NAME = "omzien-batched-flush";

  private boolean pending;
  private ChannelHandlerContext ctx;
  private final Runnable flushTask = this::flushPending;

  /** Puts the handler next to the socket (first in the pipeline), so it sees every flush of the connection. */
  static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channel().pipeline().addFirst(NAME, new BatchedFlush());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!pending) {
      pending = true;
      ctx.executor().execute(flushTask);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushPending();
    ctx.close(promise);
  }

  private void flushPending() {
    if (pending) {
      pending = false;
      ctx.flush();
    }
  }
}
