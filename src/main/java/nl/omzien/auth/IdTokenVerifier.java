package nl.omzien.auth;

import io.vertx.core.Future;

/** Verifies a token from one issuer and returns who it names. */
public interface IdTokenVerifier {
  Future<Principal> verify(String token);
}
