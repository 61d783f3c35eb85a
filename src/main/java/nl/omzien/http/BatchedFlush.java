package nl.omzien.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Defers the socket flush of an answer written while its connection's request is being read to the end of the
 * event loop's current turn, so the answers that one turn writes that way (a loop reads a batch of ready
 * connections, then runs its queued tasks) leave in one burst after the batch instead of one by one between the
 * requests. An answer written later, from a database reply or a timer, is flushed at once.
 *
 * <p>Why (issue #6, README "Load runs" item 26): every answer's write wakes the client's thread if it sleeps in
 * {@code epoll_wait}, and on a loopback connection (a load generator, or a proxy on the same host) that wake-up is
 * paid on the writing core, inside the write. Answers written one by one while a turn works through 20-30 nearby
 * requests woke the client once per answer; written together at the end of the turn, the first wakes it and the
 * rest find it awake. An answer computed in the read (nearby, the queue's and offers' reads from memory) waits at
 * most for the rest of its turn: tens of microseconds per request in it. An answer that waited for PostgreSQL is
 * not held back: its turn may be running other requests' milliseconds of work.
 *
 * <p>A close flushes first, so an answer written just before {@code Connection: close} still leaves.
 * One handler per connection, on the connection's event loop only, so no locking.
 */
final class BatchedFlush extends ChannelDuplexHandler {
  static final String NAME = "omzien-batched-flush";

  /** Between a read of this connection and the end of its read-complete event. */
  private boolean reading;
  private boolean pending;
  private ChannelHandlerContext ctx;
  private final Runnable flushTask = this::flushPending;

  /** Puts the handler next to the socket (first in the pipeline), so it sees every read and flush. */
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
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    try {
      ctx.fireChannelReadComplete(); // Vert.x flushes what the read wrote here
    } finally {
      reading = false;
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (reading) {
      if (!pending) {
        pending = true;
        ctx.executor().execute(flushTask);
      }
    } else {
      pending = false; // a task already queued finds nothing to do
      ctx.flush();
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
