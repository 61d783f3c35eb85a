package nl.omzien.demo;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import nl.omzien.activities.ActivitiesDemo;
import nl.omzien.auth.Role;
import nl.omzien.demo.DemoUsers.DemoUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the Utrecht demo data once, in one transaction, recorded in {@code demo_seed} so a restart does not
 * duplicate it.
 */
public final class DemoData {
  private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
  static final String SEED = "utrecht-demo-v1";

  private DemoData() {
  }

  /** Loads the demo data unless it is already there; the future tells whether it loaded now. */
  public static Future<Boolean> loadOnce(Pool pool) {
    return pool.withTransaction(connection -> connection
        .preparedQuery("insert into demo_seed (name) values ($1) on conflict do nothing")
        .execute(Tuple.of(SEED))
        .compose(inserted -> inserted.rowCount() == 0
            ? Future.succeededFuture(false)
            : insertUsers(connection).compose(v -> ActivitiesDemo.load(connection)).map(true)))
        .onSuccess(loaded -> LOG.info(loaded ? "demo data loaded" : "demo data already present"));
  }

  private static Future<Void> insertUsers(SqlConnection connection) {
    List<Tuple> rows = DemoUsers.all().stream().map(DemoData::row).toList();
    return connection.preparedQuery("""
            insert into app_user (id, display_name, language, roles, wijken)
            values ($1, $2, $3, $4, $5) on conflict (id) do nothing
            """)
        .executeBatch(rows)
        .mapEmpty();
  }

  private static Tuple row(DemoUser user) {
    return Tuple.of(user.id(), user.displayName(), user.language(),
        user.roles().stream().map(Role::wire).sorted().toArray(String[]::new),
        user.wijken().stream().sorted().toArray(String[]::new));
  }
}
