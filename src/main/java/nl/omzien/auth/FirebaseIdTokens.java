package nl.omzien.auth;

import com.google.firebase.FirebaseApp;
import com.google.firebase.auth.FirebaseAuth;
import com.google.firebase.auth.FirebaseAuthException;
import com.google.firebase.auth.FirebaseToken;
import io.vertx.core.Future;
import nl.omzien.errors.DomainException;
import nl.omzien.runtime.BlockingExecutor;

/**
 * Firebase ID tokens from the companion app, verified with firebase-admin (signature against Google's
 * published keys, issuer, audience = project, expiry) on the bounded blocking executor, never on an event
 * loop. The Firebase uid is then mapped to Omzien's user (roles and wijken live in Omzien, not in Firebase).
 */
public final class FirebaseIdTokens implements IdTokenVerifier {
  private final FirebaseAuth auth;
  private final BlockingExecutor blocking;
  private final UserDirectory users;

  public FirebaseIdTokens(FirebaseApp app, BlockingExecutor blocking, UserDirectory users) {
    this.auth = FirebaseAuth.getInstance(app);
    this.blocking = blocking;
    this.users = users;
  }

  @Override
  public Future<Principal> verify(String token) {
    return blocking.submit(() -> check(token))
        .compose(uid -> users.principalForExternal("firebase:" + uid, "firebase"));
  }

  private String check(String token) {
    try {
      FirebaseToken verified = auth.verifyIdToken(token);
      return verified.getUid();
    } catch (FirebaseAuthException | IllegalArgumentException e) {
      throw new DomainException.Unauthenticated("The Firebase ID token is invalid or expired.");
    }
  }
}
