package nl.omzien.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

  @Test
  @DisplayName("a transaction's work starts before BEGIN is answered, and its statements still run inside it")
  void workGoesOutBehindBegin() throws Exception {
    SqlConnection connection = pools.getConnection().await(10, TimeUnit.SECONDS);
    AtomicBoolean started = new AtomicBoolean();
    Future<List<Long>> ids = LoopPools.inTransaction(connection, tx -> {
      started.set(true);
      // Two statements sent back to back, before either is answered: one transaction id for both.
      Future<Long> first = tx.query("select txid_current() as id").execute()
          .map(rows -> rows.iterator().next().getLong("id"));
      Future<Long> second = tx.query("select txid_current() as id").execute()
          .map(rows -> rows.iterator().next().getLong("id"));
      return Future.all(first, second).map(both -> List.of(first.result(), second.result()));
    });
    // BEGIN's answer can only come back through this thread's later I/O; the work did not wait for it.
    assertTrue(started.get(), "the work was started by the call itself");
    List<Long> seen = ids.await(10, TimeUnit.SECONDS);
    assertEquals(seen.get(0), seen.get(1), "both statements in one transaction: " + seen);
    connection.close().await(10, TimeUnit.SECONDS);

    long next = pools.withTransaction(tx -> tx.query("select txid_current() as id").execute()
        .map(rows -> rows.iterator().next().getLong("id"))).await(10, TimeUnit.SECONDS);
    assertTrue(next > seen.get(0), "the first transaction ended (committed) and a new one began: " + next);
  }

  @Test
  @DisplayName("a transaction commits what succeeded and rolls back a failure, also one thrown or still under way")
  void commitsOrRollsBack() throws Exception {
    pools.query("create table tx_probe (n int)").execute().await(10, TimeUnit.SECONDS);
    RuntimeException broken = new IllegalStateException("broken");

    assertEquals(1, pools.withTransaction(tx -> tx.query("insert into tx_probe values (1)").execute()
        .map(rows -> rows.rowCount())).await(10, TimeUnit.SECONDS));
    // Failed after its insert was answered.
    Future<Object> failedAfter = pools.withTransaction(tx -> tx.query("insert into tx_probe values (2)").execute()
        .compose(rows -> Future.failedFuture(broken)));
    // Failed while a slower insert was still running: the rollback waits for it, then undoes it.
    Future<Object> failedDuring = pools.withTransaction(tx -> Future.all(
        tx.query("insert into tx_probe select 3 from pg_sleep(0.2)").execute(),
        Future.failedFuture(broken)).mapEmpty());
    // Thrown by the work itself, before any statement.
    Future<Object> thrown = pools.withTransaction(tx -> {
      throw broken;
    });
    // A statement that fails in PostgreSQL.
    Future<Object> refused = pools.withTransaction(tx -> tx.query("insert into tx_probe values (4)").execute()
        .compose(rows -> tx.query("select 1 / 0").execute()).mapEmpty());

    for (Future<Object> failure : List.of(failedAfter, failedDuring, thrown)) {
      assertSame(broken, assertThrows(IllegalStateException.class, () -> failure.await(10, TimeUnit.SECONDS)));
    }
    assertTrue(assertThrows(Exception.class, () -> refused.await(10, TimeUnit.SECONDS)).getMessage()
        .contains("division by zero"));
    List<Integer> kept = new ArrayList<>();
    pools.query("select n from tx_probe order by n").execute().await(10, TimeUnit.SECONDS)
        .forEach(row -> kept.add(row.getInteger("n")));
    assertEquals(List.of(1), kept, "only the committed insert is left");
    assertTrue(pools.size() <= PER_LOOP, "every connection went back to the pool: " + pools.size());
  }
}
