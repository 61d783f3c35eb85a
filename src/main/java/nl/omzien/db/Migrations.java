package nl.omzien.db;

import org.flywaydb.core.Flyway;

/** Flyway migrations from {@code classpath:db/migration}. Blocking JDBC: run it on a worker thread. */
public final class Migrations {
  private Migrations() {
  }

  /** Applies pending migrations and returns how many ran. */
  public static int migrate(DbTarget target) {
    return Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .connectRetries(3)
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
