package nl.omzien.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import nl.omzien.errors.DomainException;

/**
 * A named, bounded pool for blocking work (firebase-admin, JDBC). At most {@code threads} tasks run and at most
 * {@code maxQueued} wait; past that a task fails at once with {@link DomainException.Unavailable} (HTTP 503 with
 * Retry-After) instead of joining a queue that grows without bound.
 */
public final class BlockingExecutor {
  private final WorkerExecutor executor;
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  public BlockingExecutor(Vertx vertx, String name, int threads, int maxQueued) {
    this.executor = vertx.createSharedWorkerExecutor(name, threads);
    this.limit = threads + maxQueued;
  }

  /** Runs {@code task} off the event loop; unordered, so tasks do not wait for each other. */
  public <T> Future<T> submit(Callable<T> task) {
    if (inFlight.incrementAndGet() > limit) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new DomainException.Unavailable("Too much work queued; please retry shortly.", 2, null));
    }
    return executor.executeBlocking(task, false).andThen(done -> inFlight.decrementAndGet());
  }

  /** Tasks running or waiting now. */
  public int inFlight() {
    return inFlight.get();
  }

  public Future<Void> close() {
    return executor.close();
  }
}
