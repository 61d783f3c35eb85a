package nl.omzien.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import nl.omzien.matching.MatchConfig;

/**
 * Typed configuration, read once at start from environment variables (see README "Configuration").
 *
 * @param httpHost          interface to bind ({@code OMZIEN_HTTP_HOST}, default 0.0.0.0)
 * @param httpPort          TCP port ({@code OMZIEN_HTTP_PORT}, default 8080; 0 picks a free port)
 * @param httpInstances     HTTP verticle instances ({@code OMZIEN_HTTP_INSTANCES}, default: one per core)
 * @param database          the external PostgreSQL ({@code DATABASE_URL}); empty means embedded
 * @param dataDir           where the embedded database and demo signing key live ({@code OMZIEN_DATA_DIR}, default ./data)
 * @param demo              load Utrecht demo data and accept locally signed tokens ({@code OMZIEN_DEMO}; default true
 *                          with the embedded database, false with {@code DATABASE_URL})
 * @param googleCredentials service-account file for Firebase ({@code GOOGLE_APPLICATION_CREDENTIALS}), if any
 * @param firebaseProjectId Firebase project whose ID tokens are accepted ({@code OMZIEN_FIREBASE_PROJECT_ID})
 * @param jwtSecret         HS256 secret for local tokens ({@code OMZIEN_JWT_SECRET}, at least 32 bytes); empty means
 *                          a random one kept in {@code dataDir}, created on first use
 * @param dbPoolSize        connections in the pool ({@code OMZIEN_DB_POOL_SIZE}, default 16)
 * @param maxBodyBytes      request body limit in bytes ({@code OMZIEN_MAX_BODY_BYTES}, default 65536)
 * @param workerPoolSize    threads for blocking work such as Firebase calls ({@code OMZIEN_WORKER_POOL_SIZE}, default 8)
 * @param shutdownGrace     how long in-flight requests may take at shutdown ({@code OMZIEN_SHUTDOWN_GRACE_SECONDS}, default 10)
 * @param matching          matching weights, rounds and rules ({@code OMZIEN_MATCH_*}, {@code OMZIEN_VOG_VALID_MONTHS},
 *                          {@code OMZIEN_CONTACT_GRACE_HOURS}; see {@link MatchConfig})
 * @param httpLimits        rate limits per user and per IP, and the slow-client timeouts ({@code OMZIEN_RATE_LIMIT_*},
 *                          {@code OMZIEN_TRUSTED_PROXIES}, {@code OMZIEN_HTTP_*_TIMEOUT_SECONDS}; see {@link HttpLimits})
 */
public record OmzienConfig(
    String httpHost,
    int httpPort,
    int httpInstances,
    Optional<DatabaseUrl> database,
    Path dataDir,
    boolean demo,
    Optional<Path> googleCredentials,
    Optional<String> firebaseProjectId,
    Optional<String> jwtSecret,
    int dbPoolSize,
    int maxBodyBytes,
    int workerPoolSize,
    Duration shutdownGrace,
    MatchConfig matching,
    HttpLimits httpLimits) {

  /** Where an external PostgreSQL is, parsed from {@code postgres://user:password@host:port/database}. */
  public record DatabaseUrl(String host, int port, String database, String user, String password) {
    @Override
    public String toString() {
      return "postgres://" + user + ":***@" + host + ":" + port + "/" + database;
    }
  }

  /** Reads the process environment. */
  public static OmzienConfig fromEnvironment() {
    return from(System.getenv());
  }

  /**
   * Reads configuration from a map of environment variables.
   *
   * @throws ConfigException with a one-line message when a value is malformed
   */
  public static OmzienConfig from(Map<String, String> env) {
    Optional<DatabaseUrl> database = optional(env, "DATABASE_URL").map(OmzienConfig::parseDatabaseUrl);
    Optional<Path> credentials = optional(env, "GOOGLE_APPLICATION_CREDENTIALS").map(Path::of);
    credentials.ifPresent(path -> {
      if (!Files.isReadable(path)) {
        throw new ConfigException("GOOGLE_APPLICATION_CREDENTIALS points to '" + path + "', which is not a readable file");
      }
    });
    Optional<String> jwtSecret = optional(env, "OMZIEN_JWT_SECRET");
    jwtSecret.ifPresent(secret -> {
      if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new ConfigException("OMZIEN_JWT_SECRET must be at least 32 bytes long");
      }
    });
    return new OmzienConfig(
        optional(env, "OMZIEN_HTTP_HOST").orElse("0.0.0.0"),
        integer(env, "OMZIEN_HTTP_PORT", 8080, 0, 65535),
        integer(env, "OMZIEN_HTTP_INSTANCES", Runtime.getRuntime().availableProcessors(), 1, 256),
        database,
        Path.of(optional(env, "OMZIEN_DATA_DIR").orElse("data")).toAbsolutePath().normalize(),
        bool(env, "OMZIEN_DEMO", database.isEmpty()),
        credentials,
        optional(env, "OMZIEN_FIREBASE_PROJECT_ID"),
        jwtSecret,
        integer(env, "OMZIEN_DB_POOL_SIZE", 16, 1, 1000),
        integer(env, "OMZIEN_MAX_BODY_BYTES", 65_536, 1_024, 10 * 1024 * 1024),
        integer(env, "OMZIEN_WORKER_POOL_SIZE", 8, 1, 256),
        Duration.ofSeconds(integer(env, "OMZIEN_SHUTDOWN_GRACE_SECONDS", 10, 0, 600)),
        MatchConfig.from(env),
        HttpLimits.from(env));
  }

  /** A copy with another port (tests bind port 0). */
  public OmzienConfig withHttpPort(int port) {
    return new OmzienConfig(httpHost, port, httpInstances, database, dataDir, demo, googleCredentials,
        firebaseProjectId, jwtSecret, dbPoolSize, maxBodyBytes, workerPoolSize, shutdownGrace, matching,
        httpLimits);
  }

  static DatabaseUrl parseDatabaseUrl(String raw) {
    String value = raw.startsWith("jdbc:") ? raw.substring(5) : raw;
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException("DATABASE_URL is not a URL (expected postgres://user:password@host:port/database)");
    }
    String scheme = uri.getScheme();
    if (!"postgres".equals(scheme) && !"postgresql".equals(scheme)) {
      throw new ConfigException("DATABASE_URL must start with postgres:// or postgresql://, got '" + scheme + "://'");
    }
    if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
      throw new ConfigException("DATABASE_URL must name a host and a database: postgres://user:password@host:port/database");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DatabaseUrl(uri.getHost(), port, uri.getPath().substring(1), user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static Optional<String> optional(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }

  /**
   * A whole-number variable in {@code [min, max]}, or {@code fallback} when unset; anything else stops start-up
   * with one line naming the variable. Other settings records (matching) read theirs with this too.
   */
  public static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
    Optional<String> raw = optional(env, name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw.get() + "'");
    }
  }

  /**
   * A yes/no variable: true, 1, yes or on; false, 0, no or off (any case); {@code fallback} when unset. Anything else
   * stops start-up with one line naming the variable. Every boolean setting reads its value with this, so all of
   * them take the same words.
   */
  public static boolean bool(Map<String, String> env, String name, boolean fallback) {
    Optional<String> raw = optional(env, name);
    if (raw.isEmpty()) {
      return fallback;
    }
    return switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be one of true, 1, yes, on, false, 0, no, off, got '" + raw.get()
          + "'");
    };
  }
}
