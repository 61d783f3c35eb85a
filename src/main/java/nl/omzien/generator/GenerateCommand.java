package nl.omzien.generator;

import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import nl.omzien.config.OmzienConfig;
import nl.omzien.db.Database;
import nl.omzien.db.DbTarget;
import nl.omzien.demo.AreaStore;
import nl.omzien.geo.AreaIndex;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code java -jar omzien.jar generate --scale city|region|national [--seed N] [--until YYYY-MM-DD] [--force]}: fills the
 * configured database (embedded in {@code OMZIEN_DATA_DIR}, or {@code DATABASE_URL}) with synthetic history, see
 * {@link HistoryGenerator}. Refuses a database that already holds help requests, and a production database
 * ({@code OMZIEN_DEMO=false}) that holds any user, unless {@code --force} is given.
 */
public final class GenerateCommand {
  public static final String USAGE =
      "usage: omzien generate --scale city|region|national [--seed N] [--until YYYY-MM-DD] [--force]";

  private GenerateCommand() {
  }

  /** Parsed arguments. */
  record Arguments(HistoryGenerator.Options options, boolean force) {
  }

  static Arguments parse(List<String> args, LocalDate today) {
    HistoryGenerator.Scale scale = null;
    long seed = 42;
    // Yesterday: history to the end of today would hold events later today, which have not happened yet (a load
    // run that counts what it wrote since its start counted them as its own).
    LocalDate until = today.minusDays(1);
    boolean force = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--force" -> force = true;
        case "--scale", "--seed", "--until" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String value = args.get(++i);
          try {
            switch (arg) {
              case "--scale" -> scale = HistoryGenerator.Scale.valueOf(value.toUpperCase(Locale.ROOT));
              case "--seed" -> seed = Long.parseLong(value);
              default -> until = LocalDate.parse(value);
            }
          } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("bad value for " + arg + ": '" + value + "'");
          }
        }
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    if (scale == null) {
      throw new IllegalArgumentException("--scale is required");
    }
    return new Arguments(new HistoryGenerator.Options(scale, seed, until), force);
  }

  /** Runs the command; returns the process exit code. Blocking (this is a command, not the server). */
  public static int run(OmzienConfig config, List<String> args) {
    Arguments arguments;
    try {
      arguments = parse(args, LocalDate.now(HistoryGenerator.ZONE));
    } catch (IllegalArgumentException e) {
      System.err.println("omzien: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    Database database = null;
    try {
      database = Database.open(vertx, config).await(5, TimeUnit.MINUTES);
      AreaIndex areas = AreaIndex.loadUtrecht();
      AreaStore.sync(database.pool(), areas).await(1, TimeUnit.MINUTES);
      try (Connection connection = connect(database.target())) {
        String refusal = refusal(connection, config.demo());
        if (refusal != null && !arguments.force()) {
          System.err.println("omzien: refusing to generate: " + refusal + "; add --force to generate anyway");
          return 3;
        }
        long started = System.nanoTime();
        HistoryGenerator.Summary summary = HistoryGenerator.generate(connection, areas, arguments.options());
        double seconds = (System.nanoTime() - started) / 1e9;
        HistoryGenerator.Options o = arguments.options();
        System.out.printf(Locale.ROOT, "generated scale %s, seed %d, history until %s into %s in %.1f s:%n",
            o.scale().name().toLowerCase(Locale.ROOT), o.seed(), o.until(), database.target(), seconds);
        summary.rows().forEach((table, rows) -> System.out.printf(Locale.ROOT, "  %-24s %,10d%n", table, rows));
        return 0;
      }
    } catch (Exception e) {
      System.err.println("omzien: generate failed: " + rootMessage(e));
      return 1;
    } finally {
      if (database != null) {
        try {
          database.close().await(1, TimeUnit.MINUTES);
        } catch (Exception e) {
          System.err.println("omzien: could not close the database cleanly: " + rootMessage(e));
        }
      }
      vertx.close();
    }
  }

  /** Why this database must not be filled without --force, or null. */
  static String refusal(Connection connection, boolean demo) throws SQLException {
    long requests = count(connection, "select count(*) from help_request");
    if (requests > 0) {
      return "the database already holds " + requests + " help requests";
    }
    long users = count(connection, "select count(*) from app_user");
    if (!demo && users > 0) {
      return "this is not a demo database (OMZIEN_DEMO=false) and it holds " + users + " users";
    }
    return null;
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A JDBC connection to the same database as the pool (the generator streams COPY over it). */
  public static Connection connect(DbTarget target) throws SQLException {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setServerNames(new String[] {target.host()});
    source.setPortNumbers(new int[] {target.port()});
    source.setDatabaseName(target.database());
    source.setUser(target.user());
    source.setPassword(target.password());
    return source.getConnection();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
