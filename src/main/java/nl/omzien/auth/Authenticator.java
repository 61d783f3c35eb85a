package nl.omzien.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import nl.omzien.errors.DomainException;

/**
 * Two issuers, one principal shape: a bearer token is routed by its (unverified) {@code iss} claim to the
 * verifier for that issuer, which then checks it for real. Local tokens are accepted only when local tokens
 * are enabled (demo mode); Firebase ID tokens only when Firebase is configured.
 */
public final class Authenticator {
  private static final String FIREBASE_ISSUER_PREFIX = "https://securetoken.google.com/";

  /** Verified local tokens kept; past it the memory is emptied (a few MB at most). */
  static final int VERIFIED_LIMIT = 20_000;

  private final Optional<LocalTokens> local;
  private final Optional<IdTokenVerifier> firebase;
  private final UserDirectory users;
  /**
   * Local tokens already verified, until their {@code exp}: an app sends the same token on every call, and the
   * signature check and claim parsing were about 7 % of a cheap read's CPU. Only the cryptography is skipped:
   * every call still goes through {@link UserDirectory#ensureLocal}, so an erased account is refused at once.
   */
  private final ConcurrentHashMap<String, LocalTokens.Verified> verifiedLocal = new ConcurrentHashMap<>();

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
    LocalTokens.Verified known = verifiedLocal.get(token);
    if (known != null) {
      if (System.currentTimeMillis() / 1000 < known.expiresAt()) {
        return users.ensureLocal(known.principal());
      }
      verifiedLocal.remove(token);
    }
    String issuer = peekIssuer(token);
    if (LocalTokens.ISSUER.equals(issuer) && local.isPresent()) {
      return local.get().verifyWithExpiry(token)
          .onSuccess(verified -> remember(token, verified))
          .compose(verified -> users.ensureLocal(verified.principal()));
    }
    if (issuer != null && issuer.startsWith(FIREBASE_ISSUER_PREFIX) && firebase.isPresent()) {
      return firebase.get().verify(token);
    }
    return Future.failedFuture(new DomainException.Unauthenticated("The token is not from an accepted issuer."));
  }

  private void remember(String token, LocalTokens.Verified verified) {
    if (verifiedLocal.size() >= VERIFIED_LIMIT) {
      verifiedLocal.clear();
    }
    verifiedLocal.put(token, verified);
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
