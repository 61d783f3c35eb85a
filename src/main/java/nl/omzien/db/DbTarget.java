package nl.omzien.db;

import io.vertx.pgclient.PgConnectOptions;
import nl.omzien.config.OmzienConfig;

/** Where PostgreSQL is and how to log in: shared by the JDBC side (Flyway) and the reactive pool. */
public record DbTarget(String host, int port, String database, String user, String password) {

  static DbTarget of(OmzienConfig.DatabaseUrl url) {
    return new DbTarget(url.host(), url.port(), url.database(), url.user(), url.password());
  }

  /** JDBC URL for Flyway (worker thread only). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Options for the vertx-pg-client pool. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(512)
        .setPipeliningLimit(64)
        .setReconnectAttempts(0);
  }

  @Override
  public String toString() {
    return "postgres://" + user + ":***@" + host + ":" + port + "/" + database;
  }
}
