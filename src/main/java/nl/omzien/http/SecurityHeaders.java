package nl.omzien.http;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/** Headers every response carries (OWASP secure headers for a JSON API; pages set their own CSP). */
final class SecurityHeaders implements SecurityPolicyHandler {
  static final SecurityHeaders INSTANCE = new SecurityHeaders();

  private SecurityHeaders() {
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().headers()
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "no-referrer")
        .set("Cache-Control", "no-store")
        .set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    ctx.next();
  }
}
