package nl.omzien.matching;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import nl.omzien.runtime.PeriodicVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what is due: every {@link MatchConfig#tick()} it finds requests whose next round, escalation or expiry
 * time has come and lets the {@link Matcher} take each step. Each step locks its request with
 * {@code FOR NO KEY UPDATE SKIP LOCKED}, so several instances (or a restarted one) can run this side by side without
 * running a round twice.
 */
public final class MatchWorker extends PeriodicVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(MatchWorker.class);
  private static final int BATCH = 100;

  private final Matcher matcher;

  public MatchWorker(Matcher matcher) {
    this.matcher = matcher;
  }

  @Override
  protected Duration period() {
    return matcher.config().tick();
  }

  @Override
  protected Future<?> runOnce() {
    return drain();
  }

  @Override
  protected void failed(Throwable failure) {
    LOG.warn("matching: a step failed; the next tick retries", failure);
  }

  /** Takes every due step, batch after batch, until nothing is due; returns how many steps were taken. */
  public Future<Integer> drain() {
    return matcher.due(BATCH).compose(ids -> ids.isEmpty()
        ? Future.succeededFuture(0)
        : run(ids, 0).compose(done -> ids.size() < BATCH || done == 0 ? Future.succeededFuture(done)
            : drain().map(more -> done + more)));
  }

  private Future<Integer> run(List<UUID> ids, int done) {
    Future<Integer> chain = Future.succeededFuture(done);
    for (UUID id : ids) {
      chain = chain.compose(n -> matcher.runDue(id)
          .map(v -> n + 1)
          .recover(failure -> {
            LOG.warn("matching: step for one request failed; retried next tick: {}", failure.toString());
            return Future.succeededFuture(n);
          }));
    }
    return chain;
  }
}
