package nl.omzien.reports;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes the figures' facts of what changed every {@code period} (each instance of Omzien does; a flush already
 * running elsewhere is skipped), so that the flush before a figures read has little left to do.
 *
 * <p>A verticle, so that it is undeployed with the workers before the database pool closes: its stop cancels the
 * timer and waits for a flush in flight. (A timer on Vert.x itself, as before, outlived the pool and fired into it
 * during a stop.)
 */
public final class FiguresFlusher extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FiguresFlusher.class);

  private final Supplier<Future<Integer>> flush;
  private final Duration period;
  private long timer = -1;
  private Future<Integer> running = Future.succeededFuture(0);

  /** @param flush one periodic flush ({@code figures.flush(false)} in the application) */
  public FiguresFlusher(Supplier<Future<Integer>> flush, Duration period) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the flush period must be positive: " + period);
    }
    this.flush = flush;
    this.period = period;
  }

  /** Flushes the given store's facts every {@code period}. */
  public static FiguresFlusher of(FiguresStore figures, Duration period) {
    return new FiguresFlusher(() -> figures.flush(false), period);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(period.toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return running.otherwiseEmpty();
  }

  private void tick() {
    if (running.isComplete()) {
      // Composed, so that a flush that throws (a closed pool) is a failed future, not an exception in the timer.
      running = Future.succeededFuture().compose(v -> flush.get()).onFailure(failure ->
          LOG.debug("figures flush failed; the next one retries: {}", failure.toString()));
    }
  }
}
