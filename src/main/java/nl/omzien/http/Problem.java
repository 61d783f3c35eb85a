package nl.omzien.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import nl.omzien.errors.DomainException.FieldError;

/**
 * An RFC 9457 problem detail.
 *
 * @param type              catalogue entry (gives type URI, status and title)
 * @param detail            human-readable explanation of this occurrence, never internals
 * @param errors            offending fields, for validation problems
 * @param code              a stable sub-reason (e.g. {@code already-matched}), if any
 * @param retryAfterSeconds sent as {@code Retry-After} for 429/503
 */
public record Problem(ProblemType type, String detail, List<FieldError> errors, Optional<String> code,
                      Optional<Integer> retryAfterSeconds) {

  public static final String CONTENT_TYPE = "application/problem+json";

  public static Problem of(ProblemType type, String detail) {
    return new Problem(type, detail, List.of(), Optional.empty(), Optional.empty());
  }

  public Problem withErrors(List<FieldError> fieldErrors) {
    return new Problem(type, detail, fieldErrors, code, retryAfterSeconds);
  }

  public Problem withCode(String stableCode) {
    return new Problem(type, detail, errors, Optional.of(stableCode), retryAfterSeconds);
  }

  public Problem retryAfter(int seconds) {
    return new Problem(type, detail, errors, code, Optional.of(seconds));
  }

  /** The JSON body; {@code instance} is the request id, so a user can quote it to support. */
  public JsonObject toJson(String instance) {
    JsonObject json = new JsonObject()
        .put("type", type.uri())
        .put("title", type.title())
        .put("status", type.status())
        .put("detail", detail);
    if (instance != null) {
      json.put("instance", "urn:omzien:request:" + instance);
    }
    code.ifPresent(c -> json.put("code", c));
    if (!errors.isEmpty()) {
      JsonArray array = new JsonArray();
      errors.forEach(e -> array.add(new JsonObject().put("field", e.field()).put("message", e.message())));
      json.put("errors", array);
    }
    return json;
  }

  /** Writes this problem as the response, unless one was already started. */
  public void send(RoutingContext ctx) {
    var response = ctx.response();
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(type.status()).putHeader("Content-Type", CONTENT_TYPE);
    retryAfterSeconds.ifPresent(s -> response.putHeader("Retry-After", Integer.toString(s)));
    if (type == ProblemType.UNAUTHORIZED) {
      response.putHeader("WWW-Authenticate", "Bearer realm=omzien");
    }
    response.end(toJson(RequestLog.requestId(ctx)).encode());
  }
}
