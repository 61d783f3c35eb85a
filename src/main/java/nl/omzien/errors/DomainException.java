package nl.omzien.errors;

import java.util.List;

/**
 * What a service can say went wrong, in domain words. The HTTP layer maps each kind once to a problem+json
 * response ({@code nl.omzien.http.Problems}); services and stores never think in status codes.
 */
public abstract sealed class DomainException extends RuntimeException
    permits DomainException.NotFound, DomainException.Conflict, DomainException.Forbidden,
    DomainException.Invalid, DomainException.Unauthenticated, DomainException.Unavailable,
    DomainException.TooManyRequests {

  protected DomainException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** The thing does not exist, or the caller may not know that it exists (object-level authorisation). */
  public static final class NotFound extends DomainException {
    public NotFound(String what) {
      super(what + " not found", null);
    }
  }

  /** The request clashes with the current state (illegal transition, already taken, duplicate). */
  public static final class Conflict extends DomainException {
    private final String code;

    public Conflict(String code, String message) {
      super(message, null);
      this.code = code;
    }

    /** A stable, machine-readable reason, e.g. {@code already-matched}. */
    public String code() {
      return code;
    }
  }

  /** The caller is known but lacks the role for this action. */
  public static final class Forbidden extends DomainException {
    public Forbidden(String message) {
      super(message, null);
    }
  }

  /** No valid credentials. */
  public static final class Unauthenticated extends DomainException {
    public Unauthenticated(String message) {
      super(message, null);
    }
  }

  /** Input that passed the contract but breaks a domain rule; names the offending fields. */
  public static final class Invalid extends DomainException {
    private final List<FieldError> errors;

    public Invalid(String message, List<FieldError> errors) {
      super(message, null);
      this.errors = List.copyOf(errors);
    }

    public Invalid(String field, String message) {
      this(message, List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
      return errors;
    }
  }

  /** A dependency is down or overloaded; the client should retry after the given number of seconds. */
  public static final class Unavailable extends DomainException {
    private final int retryAfterSeconds;

    public Unavailable(String message, int retryAfterSeconds, Throwable cause) {
      super(message, cause);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The caller sent more requests than its limit allows; it may try again after the given number of seconds. */
  public static final class TooManyRequests extends DomainException {
    private final int retryAfterSeconds;

    public TooManyRequests(String message, int retryAfterSeconds) {
      super(message, null);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** One offending input: a JSON pointer or parameter name, and what is wrong with it. */
  public record FieldError(String field, String message) {
  }
}
