package nl.omzien.http;

import static io.vertx.openapi.validation.SchemaValidationException.createErrorFromOutputUnitType;
import static io.vertx.openapi.validation.SchemaValidationException.createInvalidValueBody;
import static io.vertx.openapi.validation.ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.analyser.ContentAnalyser;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The contract's request validation (vertx-openapi's {@link RequestValidatorImpl}, same rules, same errors) with
 * two costs removed that a load run's profile showed (README "Load runs"):
 * <ul>
 *   <li>vertx-openapi 5.0.10 builds a new JSON Schema validator for every parameter and body of every request, and
 *   each construction copies the contract's whole schema lookup into a new HashMap: nearby activities (ten query
 *   parameters) spent most of its CPU copying maps. A validator is immutable once built (it only reads its lookup),
 *   so here each parameter's and body's validator is built once, at start, and shared.</li>
 *   <li>It validated every request in an ordered {@code executeBlocking}, so each event loop's validations queued
 *   one at a time on a worker thread and every request paid two thread hops. With the validators built, checking
 *   parameters and a small body takes microseconds, so requests with a body up to {@value #INLINE_BODY_BYTES}
 *   bytes are validated on the event loop; larger bodies (up to the body limit) still go to a worker, unordered.</li>
 *   <li>The engine itself: plainly valid query and path values ({@link SimpleCheck}) and bodies ({@link BodyCheck})
 *   are accepted without it; everything else, and every error, is still the engine's.</li>
 * </ul>
 */
final class CachingRequestValidator extends RequestValidatorImpl {
  /** Bodies up to this size are validated on the event loop (a HelpRequestCreate is about 0.5-1 KB). */
  static final int INLINE_BODY_BYTES = 16 * 1024;

  private final Map<Style, ParameterTransformer> transformers = new EnumMap<>(Style.class);
  /** By schema identity: every Parameter and MediaType of the contract holds its own JsonSchema instance. */
  private final Map<JsonSchema, Validator> validators = new IdentityHashMap<>();
  private final SchemaRepository repository;
  /**
   * Parameters whose schema is a plain bounded number, integer or boolean, or the contract's uuid: checked without the
   * schema engine.
   */
  private final Map<JsonSchema, SimpleCheck> simpleChecks = new IdentityHashMap<>();
  /**
   * Every parameter schema's plain check of its transformed value: the {@link SimpleCheck} where there is one, else a
   * {@link BodyCheck}, so an enum or a patterned string that plainly fits skips the engine too (nearby's
   * {@code dayOfWeek}: the engine on it was 3.4 % of a listing's CPU with a quarter of the requests naming a day).
   */
  private final Map<JsonSchema, Predicate<Object>> parameterChecks = new IdentityHashMap<>();
  /** Every body schema's plain check ({@link BodyCheck}): a body that plainly fits skips the schema engine. */
  private final Map<JsonSchema, BodyCheck> bodyChecks = new IdentityHashMap<>();

  CachingRequestValidator(Vertx vertx, OpenAPIContract contract) {
    super(vertx, contract);
    transformers.put(Style.SIMPLE, new SimpleTransformer());
    transformers.put(Style.LABEL, new LabelTransformer());
    transformers.put(Style.MATRIX, new MatrixTransformer());
    transformers.put(Style.FORM, new FormTransformer());
    repository = contract.getSchemaRepository();
    for (Operation operation : contract.operations()) {
      for (Parameter parameter : operation.getParameters()) {
        validators.computeIfAbsent(parameter.getSchema(), repository::validator);
        JsonSchema schema = parameter.getSchema();
        SimpleCheck.of(schema).ifPresentOrElse(check -> {
          simpleChecks.put(schema, check);
          parameterChecks.put(schema, check::accepts);
        }, () -> parameterChecks.computeIfAbsent(schema, s -> new BodyCheck(repository, s)::accepts));
      }
      if (operation.getRequestBody() != null) {
        for (MediaType mediaType : operation.getRequestBody().getContent().values()) {
          if (mediaType.getSchema() != null) {
            validators.computeIfAbsent(mediaType.getSchema(), repository::validator);
            bodyChecks.computeIfAbsent(mediaType.getSchema(), schema -> new BodyCheck(repository, schema));
          }
        }
      }
    }
  }

  /** Whether this parameter schema is checked without the schema engine (tests). */
  boolean simple(JsonSchema schema) {
    return simpleChecks.containsKey(schema);
  }

  /**
   * The third cost: the JSON Schema engine spends microseconds on even {@code {type: number, minimum: -90,
   * maximum: 90}} (output units, keyword lookups), and the nearby listing's coordinates and radius were a fifth of
   * its CPU. For schemas made only of {@code type} (number, integer or boolean), {@code format} (int32, int64,
   * float, double), {@code minimum} and {@code maximum} (plus annotations), a value that plainly fits is accepted
   * here; so is a canonical uuid for {@code type: string, format: uuid} (with at most the same canonical pattern and
   * a maxLength of 36 or more: the ids in paths). Anything else (a value that does not fit, or any other keyword)
   * goes to the engine, so every error and every decision is the engine's; this only says yes where the engine would.
   */
  record SimpleCheck(String type, String format, Double minimum, Double maximum) {
    /** The contract's Uuid: exactly the canonical form that {@link #acceptsRaw} accepts. */
    private static final String UUID_PATTERN =
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    static Optional<SimpleCheck> of(JsonSchema schema) {
      if ("string".equals(schema.get("type")) && "uuid".equals(schema.get("format"))) {
        return uuid(schema);
      }
      for (String key : schema.fieldNames()) {
        if (!key.equals("type") && !key.equals("format") && !key.equals("minimum") && !key.equals("maximum")
            && !BodyCheck.annotation(key)) {
          return Optional.empty();
        }
      }
      Object type = schema.get("type");
      Object format = schema.get("format");
      Object minimum = schema.get("minimum");
      Object maximum = schema.get("maximum");
      boolean known = "number".equals(type) && (format == null || "double".equals(format) || "float".equals(format))
          || "integer".equals(type) && (format == null || "int32".equals(format) || "int64".equals(format))
          || "boolean".equals(type) && format == null && minimum == null && maximum == null;
      if (!known || minimum != null && !(minimum instanceof Number) || maximum != null && !(maximum instanceof Number)) {
        return Optional.empty();
      }
      return Optional.of(new SimpleCheck((String) type, (String) format,
          minimum == null ? null : ((Number) minimum).doubleValue(),
          maximum == null ? null : ((Number) maximum).doubleValue()));
    }

    /** {@code type: string, format: uuid} with at most the canonical pattern and a maxLength of 36 or more. */
    private static Optional<SimpleCheck> uuid(JsonSchema schema) {
      for (String key : schema.fieldNames()) {
        Object value = schema.get(key);
        boolean fits = switch (key) {
          case "type", "format" -> true;
          case "pattern" -> UUID_PATTERN.equals(value);
          case "maxLength" -> value instanceof Number n && n.doubleValue() >= 36;
          default -> BodyCheck.annotation(key);
        };
        if (!fits) {
          return Optional.empty();
        }
      }
      return Optional.of(new SimpleCheck("string", "uuid", null, null));
    }

    /** A uuid in its canonical form (8-4-4-4-12 hex digits), as the raw parameter value. */
    boolean acceptsRaw(String raw) {
      if (!"string".equals(type) || raw.length() != 36) {
        return false;
      }
      for (int i = 0; i < 36; i++) {
        char c = raw.charAt(i);
        boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
            : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    boolean accepts(Object value) {
      switch (type) {
        case "string":
          return false; // a uuid is accepted as its raw value only (acceptsRaw), before the transformer
        case "boolean":
          return value instanceof Boolean;
        case "integer":
          if (!(value instanceof Integer || value instanceof Long)) {
            return false;
          }
          long whole = ((Number) value).longValue();
          if ("int32".equals(format) && (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE)) {
            return false;
          }
          // Bounds compared as doubles only where that is exact.
          return Math.abs(whole) < (1L << 52) && inBounds(whole);
        default:
          if (!(value instanceof Double || value instanceof Float || value instanceof Integer
              || value instanceof Long)) {
            return false;
          }
          double number = ((Number) value).doubleValue();
          if (Double.isNaN(number) || Double.isInfinite(number)
              || (value instanceof Long l && Math.abs(l) >= (1L << 52))) {
            return false;
          }
          if ("float".equals(format) && Math.abs(number) > Float.MAX_VALUE) {
            return false;
          }
          return inBounds(number);
      }
    }

    private boolean inBounds(double number) {
      return (minimum == null || number >= minimum) && (maximum == null || number <= maximum);
    }
  }

  /** Whether this transformed parameter value is accepted without the schema engine (validation, and tests). */
  boolean plainParameter(JsonSchema schema, Object value) {
    Predicate<Object> check = parameterChecks.get(schema);
    return check != null && check.test(value);
  }

  /**
   * What {@link ParameterTransformer#transform} gives for a string schema's value of word characters: the value itself
   * ({@code transformPrimitive} tests {@code rawValue.matches("\\w+")}, compiling the pattern on every call). Form and
   * simple styles only: label and matrix values carry a prefix that their transformers strip first.
   */
  private static boolean plainWord(Parameter parameter, String raw) {
    if (parameter.getSchemaType() != io.vertx.json.schema.common.dsl.SchemaType.STRING
        || parameter.getStyle() != Style.FORM && parameter.getStyle() != Style.SIMPLE || raw.isEmpty()) {
      return false;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Whether this body would be accepted without the schema engine (tests). */
  boolean plainBody(JsonSchema schema, Object body) {
    BodyCheck check = bodyChecks.get(schema);
    return check != null && check.accepts(body);
  }

  /** Whether this schema's validator was built at start (tests). */
  boolean prebuilt(JsonSchema schema) {
    return validators.containsKey(schema);
  }

  private Validator validator(JsonSchema schema) {
    Validator validator = validators.get(schema);
    // Read-only after construction, so shared without locks; a schema from elsewhere gets a fresh validator.
    return validator != null ? validator : repository.validator(schema);
  }

  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      return super.validate(request, operationId); // fails with vertx-openapi's own "operation not found"
    }
    RequestParameter body = request.getBody();
    if (body != null && !body.isEmpty() && body.get() instanceof Buffer buffer
        && buffer.length() > INLINE_BODY_BYTES) {
      return vertx.executeBlocking(() -> validateNow(request, operation), false);
    }
    try {
      return Future.succeededFuture(validateNow(request, operation));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private ValidatedRequest validateNow(ValidatableRequest request, Operation operation) {
    Map<String, RequestParameter> cookies = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter param : operation.getParameters()) {
      switch (param.getIn()) {
        case COOKIE -> cookies.put(param.getName(), validateParameter(param, request.getCookies().get(param.getName())));
        case HEADER -> headers.put(param.getName(), validateParameter(param, request.getHeaders().get(param.getName())));
        case PATH -> path.put(param.getName(), validateParameter(param, request.getPathParameters().get(param.getName())));
        case QUERY -> query.put(param.getName(), validateParameter(param, request.getQuery().get(param.getName())));
        default -> throw new IllegalStateException("parameter location " + param.getIn());
      }
    }
    return new ValidatedRequestImpl(cookies, headers, path, query, validateBody(operation.getRequestBody(), request));
  }

  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value) {
    if (value == null || value.isNull()) {
      if (parameter.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(parameter);
      }
      return new RequestParameterImpl(null);
    }
    ParameterTransformer transformer = transformers.get(parameter.getStyle());
    if (transformer == null) {
      throw ValidatorException.createUnsupportedValueFormat(parameter);
    }
    SimpleCheck simple = simpleChecks.get(parameter.getSchema());
    // An id in a path or query: the transformer would first try (and fail) to read it as JSON, at the cost of an
    // exception, and the engine would run the pattern; a canonical uuid passes both, so it is taken as it is.
    if (simple != null && value.get() instanceof String raw && simple.acceptsRaw(raw)) {
      return new RequestParameterImpl(raw);
    }
    String raw = String.valueOf(value.get());
    Object transformed = plainWord(parameter, raw) ? raw : transformer.transform(parameter, raw);
    if (plainParameter(parameter.getSchema(), transformed)) {
      return new RequestParameterImpl(transformed);
    }
    OutputUnit result = validator(parameter.getSchema()).validate(transformed);
    try {
      result.checkValidity();
      return new RequestParameterImpl(transformed);
    } catch (JsonSchemaValidationException e) {
      throw createErrorFromOutputUnitType(parameter, result, e);
    }
  }

  @Override
  protected RequestParameterImpl validate(MediaType mediaType, String contentType, Buffer rawContent,
                                          ValidationContext requestOrResponse) {
    ContentAnalyser analyser = mediaType == null ? null
        : ContentAnalyser.getContentAnalyser(mediaType, contentType, rawContent, requestOrResponse);
    if (analyser == null) {
      throw new ValidatorException("The format of the " + requestOrResponse + " body is not supported",
          UNSUPPORTED_VALUE_FORMAT);
    }
    analyser.checkSyntacticalCorrectness();
    if (!isSchemaValidationRequired(mediaType)) {
      return new RequestParameterImpl(rawContent);
    }
    Object transformed = analyser.transform();
    BodyCheck plain = bodyChecks.get(mediaType.getSchema());
    if (plain != null && plain.accepts(transformed)) {
      return new RequestParameterImpl(transformed);
    }
    OutputUnit result = validator(mediaType.getSchema()).validate(transformed);
    try {
      result.checkValidity();
      return new RequestParameterImpl(transformed);
    } catch (JsonSchemaValidationException e) {
      throw createInvalidValueBody(result, requestOrResponse, e);
    }
  }
}
