package nl.omzien.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Optional;
import nl.omzien.config.OmzienConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database as the application sees it: started (embedded) or found (DATABASE_URL), migrated, and a
 * reactive pool. Blocking steps run on worker threads.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Vertx vertx;
  private final Optional<EmbeddedDatabase> embedded;
  private final DbTarget target;
  private final Pool pool;

  private Database(Vertx vertx, Optional<EmbeddedDatabase> embedded, DbTarget target, Pool pool) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.target = target;
    this.pool = pool;
  }

  /** Starts or finds PostgreSQL, migrates it and opens the pool. */
  public static Future<Database> open(Vertx vertx, OmzienConfig config) {
    return vertx.executeBlocking(() -> locate(config), false)
        .compose(located -> vertx.executeBlocking(() -> migrate(located), false)
            .recover(failure -> closeEmbedded(vertx, located).compose(v -> Future.failedFuture(failure))))
        .map(located -> new Database(vertx, located.embedded(), located.target(), createPool(vertx, located.target(), config)));
  }

  private record Located(Optional<EmbeddedDatabase> embedded, DbTarget target) {
  }

  private static Located locate(OmzienConfig config) {
    if (config.database().isPresent()) {
      return new Located(Optional.empty(), DbTarget.of(config.database().get()));
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir());
    return new Located(Optional.of(embedded), embedded.target());
  }

  private static Located migrate(Located located) {
    int applied = Migrations.migrate(located.target());
    LOG.info("database {} migrated ({} migrations applied)", located.target(), applied);
    return located;
  }

  private static Future<Void> closeEmbedded(Vertx vertx, Located located) {
    return located.embedded().isEmpty()
        ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          located.embedded().get().close();
          return null;
        }, false);
  }

  /**
   * {@code OMZIEN_DB_POOL_SIZE} connections in all, split over one pool per event loop ({@link LoopPools}); Omzien
   * runs one event loop per HTTP instance (see {@code Omzien.start}), so the split is over {@code httpInstances}.
   */
  private static Pool createPool(Vertx vertx, DbTarget target, OmzienConfig config) {
    return new LoopPools(size -> PgBuilder.pool()
        .connectingTo(target.connectOptions())
        .with(new PoolOptions()
            .setMaxSize(size)
            .setName("omzien-db")
            .setMaxWaitQueueSize(size * 64)
            .setConnectionTimeout(5)
            .setIdleTimeout(60))
        .using(vertx)
        .build(), LoopPools.perLoop(config.dbPoolSize(), config.httpInstances()));
  }

  public Pool pool() {
    return pool;
  }

  public DbTarget target() {
    return target;
  }

  public Optional<EmbeddedDatabase> embedded() {
    return embedded;
  }

  /** Closes the pool, then stops the embedded server if this process started it. */
  public Future<Void> close() {
    return pool.close()
        .recover(failure -> Future.succeededFuture())
        .compose(v -> closeEmbedded(vertx, new Located(embedded, target)));
  }
}
