package nl.omzien.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The figures' periodic flush")
class FiguresFlusherTest {
  private static final Duration PERIOD = Duration.ofMillis(20);

  private Vertx vertx;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(5);
    }
  }

  @Test
  @DisplayName("flushes every period until undeployed, and not once after (the pool closes after the undeploy)")
  void noFlushAfterUndeploy() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String id = vertx.deployVerticle(new FiguresFlusher(() -> Future.succeededFuture(calls.incrementAndGet()), PERIOD))
        .await(10, TimeUnit.SECONDS);
    waitFor("three flushes", () -> calls.get() >= 3);

    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    int atStop = calls.get();
    Thread.sleep(PERIOD.toMillis() * 10);
    assertEquals(atStop, calls.get(), "no flush after the stop");
  }

  @Test
  @DisplayName("does not start a flush while one runs, and its stop waits for the one in flight")
  void stopWaitsForTheFlushInFlight() throws Exception {
    List<Promise<Integer>> flushes = new CopyOnWriteArrayList<>();
    String id = vertx.deployVerticle(new FiguresFlusher(() -> {
      Promise<Integer> flush = Promise.promise();
      flushes.add(flush);
      return flush.future();
    }, PERIOD)).await(10, TimeUnit.SECONDS);
    waitFor("a flush started", () -> !flushes.isEmpty());
    Thread.sleep(PERIOD.toMillis() * 5);
    assertEquals(1, flushes.size(), "ticks while a flush runs start no other");

    Future<Void> undeployed = vertx.undeploy(id);
    Thread.sleep(PERIOD.toMillis() * 3);
    assertFalse(undeployed.isComplete(), "the stop waits for the flush in flight");
    flushes.get(0).complete(7);
    undeployed.await(10, TimeUnit.SECONDS);
    assertEquals(1, flushes.size());
  }

  @Test
  @DisplayName("a flush that fails or throws is retried on the next tick, not left as an unhandled exception")
  void failuresAreRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    String id = vertx.deployVerticle(new FiguresFlusher(() -> {
      if (calls.incrementAndGet() % 2 == 0) {
        throw new IllegalStateException("pool closed");
      }
      return Future.failedFuture("database down");
    }, PERIOD)).await(10, TimeUnit.SECONDS);
    waitFor("four flushes, two thrown and two failed", () -> calls.get() >= 4);
    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    assertEquals(List.of(), unhandled);
  }

  @Test
  @DisplayName("a period must be positive")
  void positivePeriod() {
    assertThrows(IllegalArgumentException.class, () -> new FiguresFlusher(() -> Future.succeededFuture(0),
        Duration.ZERO));
  }
}
