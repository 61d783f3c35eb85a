package nl.omzien.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import nl.omzien.errors.DomainException;

/**
 * Locally signed tokens (HS256, issuer {@value #ISSUER}, audience {@value #AUDIENCE}) for the demo and tests.
 * The claims carry the principal: {@code sub} = user id, {@code roles}, {@code wijken}. Verification checks
 * signature, algorithm, issuer, audience and expiry; a token without {@code exp} is refused.
 */
public final class LocalTokens {
  public static final String ISSUER = "omzien-local";
  public static final String AUDIENCE = "omzien";

  private final JWTAuth jwt;

  public LocalTokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE))));
  }

  /** Signs a token for the principal, valid for {@code lifetime}. */
  public String mint(UUID userId, Set<Role> roles, Set<String> wijken, Duration lifetime) {
    JsonObject claims = new JsonObject()
        .put("roles", new JsonArray(roles.stream().map(Role::wire).sorted().toList()))
        .put("wijken", new JsonArray(wijken.stream().sorted().toList()));
    return jwt.generateToken(claims, new JWTOptions()
        .setAlgorithm("HS256")
        .setIssuer(ISSUER)
        .setAudience(List.of(AUDIENCE))
        .setSubject(userId.toString())
        .setExpiresInSeconds((int) lifetime.toSeconds()));
  }

  /**
   * A verified token's principal and its {@code exp}.
   *
   * @param expiresAt the token's {@code exp}, in seconds since the epoch
   */
  public record Verified(Principal principal, long expiresAt) {
  }

  /** Verifies a token and returns its principal, or fails with {@link DomainException.Unauthenticated}. */
  public Future<Principal> verify(String token) {
    return verifyWithExpiry(token).map(Verified::principal);
  }

  /** As {@link #verify}, with the token's expiry. */
  public Future<Verified> verifyWithExpiry(String token) {
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt throws (instead of failing) on some malformed claims, e.g. "exp": null.
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(failure -> Future.failedFuture(new DomainException.Unauthenticated("The token is invalid or expired.")))
        .compose(user -> toPrincipal(user.attributes().getJsonObject("accessToken", new JsonObject())));
  }

  private static Future<Verified> toPrincipal(JsonObject claims) {
    try {
      if (!(claims.getValue("exp") instanceof Number exp)) {
        throw new IllegalArgumentException("exp");
      }
      UUID userId = UUID.fromString(claims.getString("sub"));
      Set<Role> roles = new HashSet<>();
      for (Object value : claims.getJsonArray("roles", new JsonArray())) {
        Role.fromWire(String.valueOf(value)).ifPresent(roles::add);
      }
      Set<String> wijken = new HashSet<>();
      for (Object value : claims.getJsonArray("wijken", new JsonArray())) {
        wijken.add(String.valueOf(value));
      }
      return Future.succeededFuture(new Verified(new Principal(userId, roles, wijken, "local"), exp.longValue()));
    } catch (RuntimeException e) {
      return Future.failedFuture(new DomainException.Unauthenticated("The token does not carry a valid principal."));
    }
  }
}
