package nl.omzien.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/** Headers every response carries (OWASP secure headers for a JSON API; pages set their own CSP). */
final class SecurityHeaders implements SecurityPolicyHandler {
  static final SecurityHeaders INSTANCE = new SecurityHeaders();

  private SecurityHeaders() {
  }

  @Override
  public void handle(RoutingContext ctx) {
    apply(ctx.response().headers());
    ctx.next();
  }

  /** Sets the headers (also for responses written outside the router). */
  static void apply(MultiMap headers) {
    headers
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "no-referrer")
        .set("Cache-Control", "no-store")
        .set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
}
