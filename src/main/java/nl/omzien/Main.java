package nl.omzien;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;
import nl.omzien.auth.SigningKey;
import nl.omzien.config.ConfigException;
import nl.omzien.config.OmzienConfig;
import nl.omzien.demo.DemoUsers;
import nl.omzien.demo.DemoUsers.DemoUser;
import nl.omzien.generator.GenerateCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar omzien.jar} starts the server; {@code java -jar omzien.jar token --user NAME [--hours H]}
 * prints a demo token, {@code token --list} the demo users; {@code generate --scale city|region|national ...} fills the
 * database with synthetic history ({@link GenerateCommand}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    OmzienConfig config;
    try {
      config = OmzienConfig.fromEnvironment();
    } catch (ConfigException e) {
      System.err.println("omzien: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<String> arguments = Arrays.asList(args);
    if (!arguments.isEmpty() && arguments.get(0).equals("token")) {
      exit(token(config, arguments.subList(1, arguments.size())));
    } else if (!arguments.isEmpty() && arguments.get(0).equals("generate")) {
      exit(GenerateCommand.run(config, arguments.subList(1, arguments.size())));
    } else if (arguments.isEmpty() || arguments.get(0).equals("serve")) {
      serve(config);
    } else {
      System.err.println("usage: omzien [serve] | token --user NAME [--hours H] | token --list");
      System.err.println("       " + GenerateCommand.USAGE.substring("usage: ".length()));
      System.exit(2);
    }
  }

  private static void serve(OmzienConfig config) {
    Omzien app;
    try {
      app = Omzien.start(config).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.debug("start-up failed", e);
      System.err.println("omzien: could not start: " + rootMessage(e));
      exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        app.stop().await(config.shutdownGrace().toSeconds() + 30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("omzien: unclean shutdown: " + rootMessage(e));
      } finally {
        flushLogs(); // after the stop, so its last lines are written too
      }
    }, "omzien-shutdown"));
  }

  private static void exit(int status) {
    flushLogs();
    System.exit(status);
  }

  /**
   * Stops logback, which writes what its async appender still queues (logback.xml). Done here rather than with
   * logback's own shutdown hook: JVM hooks run concurrently, so that one could stop logging before the server's
   * stop had logged how it went.
   */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }

  private static int token(OmzienConfig config, List<String> args) {
    if (!config.demo()) {
      System.err.println("omzien: 'token' works only in demo mode (OMZIEN_DEMO=true, the default without DATABASE_URL)");
      return 2;
    }
    if (args.contains("--list")) {
      System.out.printf("%-10s %-38s %-22s %-22s %s%n", "USER", "ID", "ROLES", "WIJKEN", "WHO");
      for (DemoUser user : DemoUsers.all()) {
        System.out.printf("%-10s %-38s %-22s %-22s %s%n", user.handle(), user.id(),
            user.roles().stream().map(Role::wire).sorted().collect(Collectors.joining(",")),
            String.join(",", user.wijken()), user.about());
      }
      return 0;
    }
    int userAt = args.indexOf("--user");
    if (userAt < 0 || userAt + 1 >= args.size()) {
      System.err.println("usage: omzien token --user NAME [--hours H] | token --list");
      return 2;
    }
    String handle = args.get(userAt + 1).toLowerCase(Locale.ROOT);
    DemoUser user = DemoUsers.byHandle(handle).orElse(null);
    if (user == null) {
      System.err.println("omzien: no demo user '" + handle + "'; see 'token --list'");
      return 2;
    }
    int hoursAt = args.indexOf("--hours");
    long hours = 12;
    if (hoursAt >= 0) {
      try {
        hours = Long.parseLong(args.get(hoursAt + 1));
        if (hours < 1 || hours > 24 * 30) {
          throw new NumberFormatException();
        }
      } catch (RuntimeException e) {
        System.err.println("omzien: --hours must be a whole number from 1 to 720");
        return 2;
      }
    }
    String secret = SigningKey.load(config.jwtSecret(), config.dataDir());
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println(new LocalTokens(vertx, secret).mint(user.id(), Set.copyOf(user.roles()),
          Set.copyOf(user.wijken()), Duration.ofHours(hours)));
      return 0;
    } finally {
      vertx.close();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
