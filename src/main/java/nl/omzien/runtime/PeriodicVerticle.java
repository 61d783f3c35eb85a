package nl.omzien.runtime;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;

/**
 * A verticle that runs some work every {@link #period()}: a tick while the previous run is still busy is skipped, a
 * run that fails (or throws) is reported and retried on the next tick, and {@link #stop()} cancels the timer and
 * waits for the run in flight, so an undeploy before the database pool closes leaves nothing running into it.
 * The match worker, the push worker and the figures' flusher are such verticles.
 */
public abstract class PeriodicVerticle extends VerticleBase {
  private long timer = -1;
  private Future<?> running = Future.succeededFuture();

  /** How often to run; zero: never on its own (tests call the work directly). */
  protected abstract Duration period();

  /** One run of the work. */
  protected abstract Future<?> runOnce();

  /** A run failed or threw; the next tick retries. */
  protected abstract void failed(Throwable failure);

  @Override
  public Future<?> start() {
    if (!period().isZero()) {
      timer = vertx.setPeriodic(period().toMillis(), id -> tick());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return running.otherwiseEmpty();
  }

  private void tick() {
    if (running.isComplete()) {
      // Composed, so that work that throws (a closed pool) is a failed run, not an exception in the timer.
      running = Future.succeededFuture().compose(v -> runOnce()).onFailure(this::failed);
    }
  }
}
