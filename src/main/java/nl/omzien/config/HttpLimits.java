package nl.omzien.config;

import java.time.Duration;
import java.util.Map;

/**
 * Abuse limits of the HTTP server (README "Configuration"). Rate limits are token buckets kept in memory per
 * instance: {@code perMinute} tokens flow in per minute up to {@code burst}; a request takes one, and with none
 * left it is answered 429 with {@code Retry-After}. A per-minute value of 0 turns that limit off.
 *
 * @param rateLimitEnabled   {@code OMZIEN_RATE_LIMIT_ENABLED} (default true); false turns both limits off, e.g. for a
 *                           load benchmark driven from one machine
 * @param userPerMinute      requests per minute per signed-in user ({@code OMZIEN_RATE_LIMIT_USER_PER_MINUTE}, 120)
 * @param userBurst          requests a user may send at once after a quiet spell ({@code OMZIEN_RATE_LIMIT_USER_BURST}, 60)
 * @param ipPerMinute        requests per minute per client IP, signed in or not ({@code OMZIEN_RATE_LIMIT_IP_PER_MINUTE},
 *                           1200: generous, because mobile carriers put many phones behind one address)
 * @param ipBurst            {@code OMZIEN_RATE_LIMIT_IP_BURST}, 300
 * @param trustedProxies     reverse proxies in front of Omzien whose {@code X-Forwarded-For} entries are believed
 *                           ({@code OMZIEN_TRUSTED_PROXIES}, 0: the TCP peer is the client)
 * @param idleTimeout        a connection that sends and receives nothing for this long is closed
 *                           ({@code OMZIEN_HTTP_IDLE_TIMEOUT_SECONDS}, 30)
 * @param headerTimeout      a new connection must deliver its first complete request head within this time, however
 *                           slowly it trickles bytes (slowloris) ({@code OMZIEN_HTTP_HEADER_TIMEOUT_SECONDS}, 10)
 * @param bodyTimeout        a request body must have fully arrived this long after its head, else 408 and the
 *                           connection is closed ({@code OMZIEN_HTTP_BODY_TIMEOUT_SECONDS}, 30)
 */
public record HttpLimits(
    boolean rateLimitEnabled,
    int userPerMinute,
    int userBurst,
    int ipPerMinute,
    int ipBurst,
    int trustedProxies,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout) {

  /** Reads the limits from environment variables; a malformed value throws {@link ConfigException}. */
  public static HttpLimits from(Map<String, String> env) {
    return new HttpLimits(
        OmzienConfig.bool(env, "OMZIEN_RATE_LIMIT_ENABLED", true),
        OmzienConfig.integer(env, "OMZIEN_RATE_LIMIT_USER_PER_MINUTE", 120, 0, 1_000_000),
        OmzienConfig.integer(env, "OMZIEN_RATE_LIMIT_USER_BURST", 60, 1, 1_000_000),
        OmzienConfig.integer(env, "OMZIEN_RATE_LIMIT_IP_PER_MINUTE", 1_200, 0, 10_000_000),
        OmzienConfig.integer(env, "OMZIEN_RATE_LIMIT_IP_BURST", 300, 1, 10_000_000),
        OmzienConfig.integer(env, "OMZIEN_TRUSTED_PROXIES", 0, 0, 10),
        Duration.ofSeconds(OmzienConfig.integer(env, "OMZIEN_HTTP_IDLE_TIMEOUT_SECONDS", 30, 1, 3_600)),
        Duration.ofSeconds(OmzienConfig.integer(env, "OMZIEN_HTTP_HEADER_TIMEOUT_SECONDS", 10, 1, 600)),
        Duration.ofSeconds(OmzienConfig.integer(env, "OMZIEN_HTTP_BODY_TIMEOUT_SECONDS", 30, 1, 3_600)));
  }

  /** True when requests per signed-in user are limited. */
  public boolean limitsUsers() {
    return rateLimitEnabled && userPerMinute > 0;
  }

  /** True when requests per client IP are limited. */
  public boolean limitsIps() {
    return rateLimitEnabled && ipPerMinute > 0;
  }
}
