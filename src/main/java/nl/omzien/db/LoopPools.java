package nl.omzien.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One connection pool per event loop, behind the one {@link Pool} the services share: a statement issued on an event
 * loop runs on a connection whose socket that same loop reads and writes.
 *
 * <p>Why (issue #6): with one pool for the whole process, Vert.x hands a free connection to whoever waits first, and a
 * connection's I/O stays on the loop that opened it (the start-up's, the match worker's, either HTTP loop's). Under
 * the create run's 32 concurrent requests on 16 connections, most statements were written and read on another loop
 * than the request's, and every answer hopped back to the request's loop: an eventfd wake-up and a task queue per
 * statement, ~15 statements per create. async-profiler showed 20 % of the event loops' CPU on two loops that serve
 * no HTTP at all, doing the pool's socket work.
 *
 * <p>Here each event-loop thread gets its own pool on first use, of {@code perLoop} connections; its connections
 * are opened from that loop, so they live on it. Callers off an event loop (a worker thread, a thread without a
 * Vert.x context) share one more pool of the same size. {@link #withTransaction} takes a connection from the caller's
 * pool and keeps it to the end, and sends the work's first statements right behind {@code BEGIN}.
 */
public final class LoopPools implements Pool {
  private final IntFunction<Pool> factory;
  private final int perLoop;
  /** The key of the pool for callers off any event loop. */
  private static final Object OFF_LOOP = new Object();

  /** One pool per event-loop thread, and one under {@link #OFF_LOOP}. */
  private final Map<Object, Pool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param factory a pool of the given maximum size (unconnected: pools open connections on demand)
   * @param perLoop the maximum number of connections of each event loop's pool
   */
  public LoopPools(IntFunction<Pool> factory, int perLoop) {
    if (perLoop < 1) {
      throw new IllegalArgumentException("perLoop must be at least 1: " + perLoop);
    }
    this.factory = factory;
    this.perLoop = perLoop;
  }

  /** Connections per loop for {@code total} connections over {@code eventLoops} loops (rounded up, at least 1). */
  public static int perLoop(int total, int eventLoops) {
    return Math.max(1, (total + Math.max(1, eventLoops) - 1) / Math.max(1, eventLoops));
  }

  /** The pool of the calling thread: its event loop's, or the one for everything off an event loop. */
  Pool current() {
    if (closed) {
      throw new IllegalStateException("pool closed");
    }
    // The thread, not the context: a worker thread running an event-loop context's executeBlocking is no loop.
    Object key = Context.isOnEventLoopThread() ? Thread.currentThread() : OFF_LOOP;
    return pools.computeIfAbsent(key, k -> factory.apply(perLoop));
  }

  /** How many pools were opened so far (one per event loop that used the database, plus one for other threads). */
  int pools() {
    return pools.size();
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return current().getConnection();
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return current().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return current().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return current().preparedQuery(sql, options);
  }

  /**
   * As {@link Pool#withTransaction(Function)}, one round trip shorter: the work starts at once, so its first
   * statements go out right behind {@code BEGIN} on the (pipelining) connection, instead of after {@code BEGIN}'s
   * answer. PostgreSQL runs them in order, so they run inside the transaction. The end is the same: commit when the
   * work succeeds, roll back when it fails (after its statements still under way), the connection back to the pool.
   *
   * <p>{@code BEGIN} on a pooled connection can fail only with the connection itself, and then every statement sent
   * after it fails too; its failure is the answer, whatever the work made of its own.
   */
  @Override
  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> work) {
    return getConnection().compose(connection -> inTransaction(connection, work)
        .onComplete(done -> connection.close()));
  }

  static <T> Future<T> inTransaction(SqlConnection connection, Function<SqlConnection, Future<T>> work) {
    Future<Transaction> begun = connection.begin();
    Future<T> done;
    try {
      done = work.apply(connection);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    Future<T> outcome = done;
    return begun.compose(
        tx -> outcome.compose(
            value -> tx.commit().map(value),
            failure -> failure instanceof TransactionRollbackException
                ? Future.failedFuture(failure)
                : tx.rollback().transform(rolledBack -> Future.failedFuture(failure))),
        notBegun -> outcome.transform(ignored -> Future.failedFuture(notBegun)));
  }

  /** Connections open in all pools. */
  @Override
  public int size() {
    return pools.values().stream().mapToInt(Pool::size).sum();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = pools.values().stream().map(Pool::close).toList();
    return Future.all(closing).mapEmpty();
  }
}
