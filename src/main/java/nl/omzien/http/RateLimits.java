package nl.omzien.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import nl.omzien.config.HttpLimits;
import nl.omzien.errors.DomainException;

/**
 * Request rate limits per client IP (before authentication, so floods of bad tokens are limited too) and per
 * signed-in user (after authentication). Exceeding one answers 429 {@code rate-limited} with
 * {@code Retry-After}. Health and metrics are exempt, so probes and scrapers never see 429.
 *
 * <p>The buckets live in this instance's memory: with N instances behind a load balancer a client can get up to
 * N times the configured rate (less with sticky routing). That bounds abuse per instance, which is what protects
 * the instance; a cluster-wide quota would belong in the load balancer or a shared store.
 */
public final class RateLimits {
  /** Most keys tracked per limiter (about 100 bytes each). */
  static final int MAX_KEYS = 200_000;
  private static final long SWEEP_MS = 30_000;

  private final Optional<TokenBuckets> perUser;
  private final Optional<TokenBuckets> perIp;
  private final int trustedProxies;
  private final Set<String> exemptPaths;

  private RateLimits(Optional<TokenBuckets> perUser, Optional<TokenBuckets> perIp, int trustedProxies,
                     Set<String> exemptPaths) {
    this.perUser = perUser;
    this.perIp = perIp;
    this.trustedProxies = trustedProxies;
    this.exemptPaths = Set.copyOf(exemptPaths);
  }

  /**
   * Limits as configured, sweeping idle buckets every 30 s on {@code vertx}.
   *
   * @param exemptPaths request paths never limited (health and metrics)
   */
  public static RateLimits create(Vertx vertx, HttpLimits limits, Set<String> exemptPaths) {
    Optional<TokenBuckets> users = limits.limitsUsers()
        ? Optional.of(new TokenBuckets(limits.userPerMinute(), limits.userBurst(), MAX_KEYS, System::nanoTime))
        : Optional.empty();
    Optional<TokenBuckets> ips = limits.limitsIps()
        ? Optional.of(new TokenBuckets(limits.ipPerMinute(), limits.ipBurst(), MAX_KEYS, System::nanoTime))
        : Optional.empty();
    if (users.isPresent() || ips.isPresent()) {
      vertx.setPeriodic(SWEEP_MS, id -> {
        users.ifPresent(TokenBuckets::sweep);
        ips.ifPresent(TokenBuckets::sweep);
      });
    }
    return new RateLimits(users, ips, limits.trustedProxies(), exemptPaths);
  }

  /** The paths of the contract's {@code health} operations (liveness, readiness, metrics): never limited. */
  public static Set<String> healthPaths(OpenAPIContract contract) {
    return contract.operations().stream()
        .filter(operation -> operation.getTags().contains("health"))
        .map(Operation::getOpenAPIPath)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Root handler: limits by client address, except on exempt paths. */
  public SecurityPolicyHandler perIp() {
    return ctx -> {
      if (perIp.isEmpty() || exemptPaths.contains(ctx.normalizedPath())) {
        ctx.next();
        return;
      }
      admit(ctx, perIp.get(), ClientAddress.of(ctx.request(), trustedProxies));
    };
  }

  /** Route handler after authentication: limits by the principal's user id. */
  public Handler<RoutingContext> perUser() {
    return ctx -> {
      if (perUser.isEmpty()) {
        ctx.next();
        return;
      }
      admit(ctx, perUser.get(), ApiRouter.principal(ctx).userId().toString());
    };
  }

  private static void admit(RoutingContext ctx, TokenBuckets buckets, String key) {
    long wait = buckets.tryAcquire(key);
    if (wait == 0) {
      ctx.next();
    } else {
      ctx.fail(new DomainException.TooManyRequests("Too many requests; please wait before trying again.",
          (int) Math.min(wait, Integer.MAX_VALUE)));
    }
  }
}
