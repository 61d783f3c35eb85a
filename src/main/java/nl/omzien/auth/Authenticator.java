package nl.omzien.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import nl.omzien.errors.DomainException;

/**
 * Two issuers, one principal shape: a bearer token is routed by its (unverified) {@code iss} claim to the
 * verifier for that issuer, which then checks it for real. Local tokens are accepted only when local tokens
 * are enabled (demo mode); Firebase ID tokens only when Firebase is configured.
 */
public final class Authenticator {
  private static final String FIREBASE_ISSUER_PREFIX = "https://securetoken.google.com/";

  private final Optional<LocalTokens> local;
  private final Optional<IdTokenVerifier> firebase;
  private final UserDirectory users;

  public Authenticator(Optional<LocalTokens> local, Optional<IdTokenVerifier> firebase, UserDirectory users) {
    this.local = local;
    this.firebase = firebase;
    this.users = users;
  }

  /** The user directory behind both issuers (account erasure tells it). */
  public UserDirectory directory() {
    return users;
  }

  /** Authenticates the bearer token, failing with {@link DomainException.Unauthenticated}. */
  public Future<Principal> authenticate(String token) {
    String issuer = peekIssuer(token);
    if (LocalTokens.ISSUER.equals(issuer) && local.isPresent()) {
      return local.get().verify(token).compose(users::ensureLocal);
    }
    if (issuer != null && issuer.startsWith(FIREBASE_ISSUER_PREFIX) && firebase.isPresent()) {
      return firebase.get().verify(token);
    }
    return Future.failedFuture(new DomainException.Unauthenticated("The token is not from an accepted issuer."));
  }

  private static String peekIssuer(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[1].length() > 8192) {
      return null;
    }
    try {
      byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
      return new JsonObject(new String(payload, StandardCharsets.UTF_8)).getString("iss");
    } catch (RuntimeException e) {
      return null;
    }
  }
}
