package nl.omzien.reports;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;
import nl.omzien.runtime.PeriodicVerticle;
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
public final class FiguresFlusher extends PeriodicVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(FiguresFlusher.class);

  private final Supplier<Future<Integer>> flush;
  private final Duration period;

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
  protected Duration period() {
    return period;
  }

  @Override
  protected Future<?> runOnce() {
    return flush.get();
  }

  @Override
  protected void failed(Throwable failure) {
    LOG.debug("figures flush failed; the next one retries: {}", failure.toString());
  }
}
