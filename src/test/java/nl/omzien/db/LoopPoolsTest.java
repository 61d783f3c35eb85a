package nl.omzien.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoopPoolsTest {
  private static final int PER_LOOP = 3;
  private static final int CONCURRENT = 12;

  private Vertx vertx;
  private LoopPools pools;

  @BeforeEach
  void open() {
    URI url = URI.create(TestDatabase.newDatabaseUrl("looppools"));
    DbTarget target = new DbTarget(url.getHost(), url.getPort(), url.getPath().substring(1), "postgres", "");
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    pools = new LoopPools(size -> PgBuilder.pool()
        .connectingTo(target.connectOptions())
        .with(new PoolOptions().setMaxSize(size))
        .using(vertx)
        .build(), PER_LOOP);
  }

  @AfterEach
  void close() throws Exception {
    pools.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs CONCURRENT overlapping statements and transactions from each of two verticles on their own loops. */
  private static final class Caller extends AbstractVerticle {
    private final LoopPools pools;
    private final Map<Thread, Set<Integer>> backends;

    Caller(LoopPools pools, Map<Thread, Set<Integer>> backends) {
      this.pools = pools;
      this.backends = backends;
    }

    @Override
    public void start(Promise<Void> started) {
      Thread loop = Thread.currentThread();
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        Future<Row> row = i % 2 == 0
            ? pools.preparedQuery("select pg_backend_pid() as pid, pg_sleep($1)").execute(Tuple.of(0.02))
                .map(rows -> rows.iterator().next())
            : pools.withTransaction(tx -> tx.query("select pg_backend_pid() as pid, pg_sleep(0.02)").execute()
                .map(rows -> rows.iterator().next()));
        calls.add(row.map(r -> {
          if (Thread.currentThread() != loop) {
            throw new IllegalStateException("answered on " + Thread.currentThread() + ", asked on " + loop);
          }
          return r.getInteger("pid");
        }));
      }
      Future.all(calls).onComplete(all -> {
        if (all.failed()) {
          started.fail(all.cause());
          return;
        }
        Set<Integer> pids = backends.computeIfAbsent(loop, t -> ConcurrentHashMap.newKeySet());
        calls.forEach(call -> pids.add(call.result()));
        started.complete();
      });
    }
  }

  @Test
  @DisplayName("each event loop uses its own connections, at most perLoop of them, and is answered on its loop")
  void ownConnectionsPerLoop() throws Exception {
    Map<Thread, Set<Integer>> backends = new ConcurrentHashMap<>();
    vertx.deployVerticle(() -> new Caller(pools, backends), new DeploymentOptions().setInstances(2))
        .await(30, TimeUnit.SECONDS);

    assertEquals(2, backends.size(), "two loops called: " + backends.keySet());
    List<Set<Integer>> sets = new ArrayList<>(backends.values());
    for (Set<Integer> pids : sets) {
      assertTrue(pids.size() >= 2 && pids.size() <= PER_LOOP,
          CONCURRENT + " overlapping calls on one loop use 2.." + PER_LOOP + " connections: " + pids);
    }
    Set<Integer> shared = new HashSet<>(sets.get(0));
    shared.retainAll(sets.get(1));
    assertTrue(shared.isEmpty(), "no connection serves both loops: " + backends);
    assertEquals(2, pools.pools());
    assertEquals(sets.get(0).size() + sets.get(1).size(), pools.size());
  }

  @Test
  @DisplayName("a caller off any event loop gets a pool of its own, which works and is closed with the rest")
  void offLoopCallers() throws Exception {
    int pid = pools.preparedQuery("select pg_backend_pid() as pid").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getInteger("pid");
    assertTrue(pid > 0);
    assertEquals(1, pools.pools());
    assertEquals(1, pools.size());

    // executeBlocking from here runs on a worker thread under an event-loop context: still no loop of its own.
    Object onWorker = vertx.executeBlocking(() -> pools.current()).await(10, TimeUnit.SECONDS);
    assertEquals(pools.current(), onWorker, "worker threads share the off-loop pool");
    assertEquals(1, pools.pools());

    pools.close().await(10, TimeUnit.SECONDS);
    assertThrows(IllegalStateException.class, () -> pools.preparedQuery("select 1"));
  }

  @Test
  @DisplayName("the connections are split over the loops, rounded up, at least one each")
  void perLoop() {
    assertEquals(8, LoopPools.perLoop(16, 2));
    assertEquals(6, LoopPools.perLoop(16, 3));
    assertEquals(16, LoopPools.perLoop(16, 1));
    assertEquals(16, LoopPools.perLoop(16, 0));
    assertEquals(1, LoopPools.perLoop(1, 4));
    assertThrows(IllegalArgumentException.class, () -> new LoopPools(size -> null, 0));
  }
}
