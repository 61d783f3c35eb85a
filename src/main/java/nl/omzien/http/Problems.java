package nl.omzien.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.omzien.errors.DomainException;
import nl.omzien.errors.DomainException.FieldError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP: domain exceptions, contract violations, router errors and
 * infrastructure faults are each mapped to a {@link Problem}. Unknown failures are a logged 500 whose body
 * says nothing about internals.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  private static final Pattern PARAMETER = Pattern.compile("(?:path|query|header|cookie) parameter (\\S+?)[ .]");
  private static final int DATABASE_RETRY_AFTER_SECONDS = 5;

  private Problems() {
  }

  /** Failure handler for every route: writes the problem for {@code ctx.failure()} / {@code ctx.statusCode()}. */
  public static void handle(RoutingContext ctx) {
    handle(ctx, ctx.statusCode());
  }

  /**
   * The router's error handler for {@code status}: the router may call it before any route ran (a path it cannot
   * decode), when the context does not know the status yet.
   */
  public static Handler<RoutingContext> forStatus(int status) {
    return ctx -> handle(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : status);
  }

  private static void handle(RoutingContext ctx, int statusCode) {
    Problem problem = toProblem(ctx.failure(), statusCode);
    if (problem.type() == ProblemType.INTERNAL) {
      LOG.error("request {} failed: unexpected error", RequestLog.requestId(ctx), ctx.failure());
    }
    problem.send(ctx);
  }

  /** Maps a failure (or a bare status code when there is none) to a problem. */
  public static Problem toProblem(Throwable failure, int statusCode) {
    if (failure instanceof DomainException domain) {
      return fromDomain(domain);
    }
    if (failure instanceof HttpException http) {
      if (http.getCause() instanceof ValidatorException validation) {
        return fromValidation(validation);
      }
      if (http.getStatusCode() == 400 && http.getCause() instanceof IllegalArgumentException) {
        return Problem.of(ProblemType.MALFORMED_REQUEST, http.getPayload());
      }
      return fromStatus(http.getStatusCode(), http.getPayload());
    }
    if (failure instanceof ValidatorException validation) {
      return fromValidation(validation);
    }
    if (failure instanceof PgException pg && pg.getSqlState() != null) {
      // Safety net: stores translate the constraint violations they expect; one that slips through is the
      // client's (a duplicate, a dangling reference, a value the schema forbids), never a 500.
      switch (pg.getSqlState()) {
        case "23505":
          return Problem.of(ProblemType.CONFLICT, "This already exists.").withCode("duplicate");
        case "23503":
          return Problem.of(ProblemType.INVALID_INPUT, "This refers to something that does not exist.")
              .withCode("unknown-reference");
        case "23514", "22001", "22003", "22007", "22008", "22P02":
          return Problem.of(ProblemType.INVALID_INPUT, "A value is outside what is allowed.").withCode("out-of-range");
        case "22021", "22P05":
          // Text PostgreSQL cannot store (a NUL character): found by the spec fuzzer in free-text fields.
          return Problem.of(ProblemType.INVALID_INPUT, "Text contains a character that cannot be stored (NUL).")
              .withCode("invalid-character");
        default:
          if (pg.getSqlState().startsWith("22")) {
            // Any other data exception is about a value the client sent.
            return Problem.of(ProblemType.INVALID_INPUT, "A value is outside what is allowed.")
                .withCode("invalid-value");
          }
          break;
      }
    }
    if (isDatabaseUnavailable(failure)) {
      return Problem.of(ProblemType.UNAVAILABLE, "The database is not reachable right now; please retry shortly.")
          .retryAfter(DATABASE_RETRY_AFTER_SECONDS);
    }
    if (failure == null && statusCode > 0) {
      return fromStatus(statusCode, null);
    }
    if (statusCode == 400) {
      // The router refused the request before any handler (a path with a broken percent-escape and the like).
      return Problem.of(ProblemType.MALFORMED_REQUEST, "The request line or a parameter could not be decoded.");
    }
    if (statusCode > 400 && statusCode < 500) {
      return fromStatus(statusCode, null);
    }
    return Problem.of(ProblemType.INTERNAL, "Something went wrong on our side; the request id identifies it.");
  }

  /**
   * The HTTP server's handler for requests it could not decode (request line over 8 KB: 414, headers over
   * 16 KB: 431, anything else: 400). They never reach the router, so the problem is written here, with the same
   * security headers; the connection is closed, since what follows on it cannot be trusted.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    Problem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = Problem.of(ProblemType.URI_TOO_LONG, "The request line is longer than this API accepts.");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = Problem.of(ProblemType.HEADERS_TOO_LARGE, "The request headers are larger than this API accepts.");
    } else {
      problem = Problem.of(ProblemType.MALFORMED_REQUEST, "The request is not well-formed HTTP.");
    }
    String id = UUID.randomUUID().toString();
    HttpServerResponse response = request.response();
    SecurityHeaders.apply(response.headers());
    response.setStatusCode(problem.type().status())
        .putHeader("Content-Type", Problem.CONTENT_TYPE)
        .putHeader(RequestLog.HEADER, id)
        .putHeader("Connection", "close")
        .end(problem.toJson(id).encode())
        .onComplete(done -> request.connection().close());
  }

  private static Problem fromStatus(int status, String payload) {
    ProblemType type = ProblemType.forStatus(status);
    String detail = switch (type) {
      case NOT_FOUND -> "There is nothing at this address.";
      case METHOD_NOT_ALLOWED -> "This resource does not support that HTTP method.";
      case PAYLOAD_TOO_LARGE -> "The request body is larger than this API accepts.";
      case UNAUTHORIZED -> "A valid bearer token is required.";
      case UNSUPPORTED_MEDIA_TYPE -> "Send application/json.";
      case URI_TOO_LONG -> "The request line is longer than this API accepts.";
      case HEADERS_TOO_LARGE -> "The request headers are larger than this API accepts.";
      case INTERNAL -> "Something went wrong on our side; the request id identifies it.";
      default -> payload != null && payload.length() < 200 ? payload : type.title();
    };
    return Problem.of(type, detail);
  }

  private static Problem fromDomain(DomainException failure) {
    if (failure instanceof DomainException.NotFound) {
      return Problem.of(ProblemType.NOT_FOUND, failure.getMessage());
    }
    if (failure instanceof DomainException.Conflict conflict) {
      return Problem.of(ProblemType.CONFLICT, conflict.getMessage()).withCode(conflict.code());
    }
    if (failure instanceof DomainException.Forbidden) {
      return Problem.of(ProblemType.FORBIDDEN, failure.getMessage());
    }
    if (failure instanceof DomainException.Unauthenticated) {
      return Problem.of(ProblemType.UNAUTHORIZED, failure.getMessage());
    }
    if (failure instanceof DomainException.Invalid invalid) {
      return Problem.of(ProblemType.INVALID_INPUT, invalid.getMessage()).withErrors(invalid.errors());
    }
    if (failure instanceof DomainException.TooManyRequests limited) {
      return Problem.of(ProblemType.RATE_LIMITED, limited.getMessage()).retryAfter(limited.retryAfterSeconds());
    }
    DomainException.Unavailable unavailable = (DomainException.Unavailable) failure;
    return Problem.of(ProblemType.UNAVAILABLE, unavailable.getMessage()).retryAfter(unavailable.retryAfterSeconds());
  }

  private static Problem fromValidation(ValidatorException failure) {
    if (failure.type() == ValidatorErrorType.ILLEGAL_VALUE && failure.getMessage().contains("body")) {
      return Problem.of(ProblemType.MALFORMED_BODY, "The request body is not well-formed JSON.");
    }
    if (failure.type() == ValidatorErrorType.MISSING_OPERATION) {
      return Problem.of(ProblemType.NOT_FOUND, "There is nothing at this address.");
    }
    if (failure.getMessage() != null && (failure.getMessage().startsWith("The content type")
        || failure.getMessage().contains("format of the request body is not supported"))) {
      return Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
    }
    List<FieldError> errors = new ArrayList<>();
    if (failure instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      collect(schema.getOutputUnit(), errors);
      errors = concise(errors);
    }
    String parameter = parameterName(failure.getMessage());
    if (errors.isEmpty()) {
      errors.add(new FieldError(parameter, failure.getMessage()));
    } else if (!parameter.equals("body")) {
      // A parameter's schema errors point into the parameter's value ("/"); name the parameter instead.
      errors = errors.stream().map(e -> new FieldError(parameter, e.message())).distinct().toList();
    }
    return Problem.of(ProblemType.VALIDATION_FAILED, "The request does not match the API contract: "
        + errors.size() + " problem(s), see errors.").withErrors(errors);
  }

  /** Leaf errors of a JSON Schema output unit, as JSON pointers into the body ("" = the body itself). */
  private static void collect(OutputUnit unit, List<FieldError> into) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      for (OutputUnit child : unit.getErrors()) {
        collect(child, into);
      }
      return;
    }
    if (unit.getError() == null || into.size() >= 20) {
      return;
    }
    String location = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    if (location.startsWith("#")) {
      location = location.substring(1);
    }
    FieldError error = new FieldError(location.isEmpty() ? "/" : location, unit.getError());
    if (!into.contains(error)) {
      into.add(error);
    }
  }

  /**
   * The schema validator reports wrappers ("does not match schema", "A subschema had errors") next to the real
   * reason, and flags every property as "additional" once any property fails. Keep the real reasons; keep
   * "additional" only for fields that have no other error, i.e. fields the contract does not know.
   */
  private static List<FieldError> concise(List<FieldError> all) {
    List<FieldError> reasons = all.stream()
        .filter(e -> !e.message().endsWith("does not match schema") && !e.message().equals("A subschema had errors")
            && !e.message().endsWith("does not match additional properties schema"))
        .toList();
    List<FieldError> result = new ArrayList<>(reasons);
    all.stream()
        .filter(e -> e.message().endsWith("does not match additional properties schema"))
        .filter(e -> reasons.stream().noneMatch(r -> r.field().equals(e.field())))
        .map(e -> new FieldError(e.field(), "Unknown field; this request does not accept it"))
        .forEach(result::add);
    return result.isEmpty() ? all : result;
  }

  private static String parameterName(String message) {
    if (message == null) {
      return "body";
    }
    Matcher matcher = PARAMETER.matcher(message + " ");
    return matcher.find() ? matcher.group(1) : "body";
  }

  /** True for failures that mean "the database is down or saturated", which clients should retry. */
  static boolean isDatabaseUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SocketException || t instanceof ClosedChannelException || t instanceof ClosedConnectionException
          || t instanceof TimeoutException) {
        return true;
      }
      // A write to a connection the database just closed: NIO throws a plain IOException, not a SocketException.
      if (t instanceof IOException && t.getMessage() != null
          && (t.getMessage().contains("Connection reset") || t.getMessage().contains("Broken pipe"))) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
          return true;
        }
      }
      if (t instanceof VertxException && t.getMessage() != null
          && (t.getMessage().contains("Timeout") || t.getMessage().contains("Pool closed")
          || t.getMessage().contains("Connection refused"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
