package nl.omzien.http;

/**
 * The stable catalogue of error kinds. Each has a type URI that clients may switch on
 * ({@code https://omzien.nl/problems/<slug>}); the slugs never change meaning.
 */
public enum ProblemType {
  VALIDATION_FAILED("validation-failed", 400, "The request does not match the API contract"),
  MALFORMED_BODY("malformed-body", 400, "The request body could not be read"),
  MALFORMED_REQUEST("malformed-request", 400, "The request is not well-formed HTTP"),
  INVALID_INPUT("invalid-input", 422, "The request breaks a rule of the domain"),
  UNAUTHORIZED("unauthorized", 401, "Authentication is required"),
  FORBIDDEN("forbidden", 403, "You may not do this"),
  NOT_FOUND("not-found", 404, "Not found"),
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
  NOT_ACCEPTABLE("not-acceptable", 406, "No acceptable representation"),
  REQUEST_TIMEOUT("request-timeout", 408, "The request did not arrive in time"),
  CONFLICT("conflict", 409, "The request conflicts with the current state"),
  PAYLOAD_TOO_LARGE("payload-too-large", 413, "The request body is too large"),
  URI_TOO_LONG("uri-too-long", 414, "The request line is too long"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
  RATE_LIMITED("rate-limited", 429, "Too many requests"),
  HEADERS_TOO_LARGE("headers-too-large", 431, "The request headers are too large"),
  INTERNAL("internal-error", 500, "Internal error"),
  UNAVAILABLE("service-unavailable", 503, "Service temporarily unavailable");

  /** Prefix of every type URI. */
  public static final String BASE = "https://omzien.nl/problems/";

  private final String slug;
  private final int status;
  private final String title;

  ProblemType(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  public String uri() {
    return BASE + slug;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The catalogue entry for a bare HTTP status (used for failures that carry only a code). */
  public static ProblemType forStatus(int status) {
    for (ProblemType type : values()) {
      if (type.status == status && type != MALFORMED_BODY && type != MALFORMED_REQUEST) {
        return type;
      }
    }
    return status >= 500 ? INTERNAL : VALIDATION_FAILED;
  }
}
