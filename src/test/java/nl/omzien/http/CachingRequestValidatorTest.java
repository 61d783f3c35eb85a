package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The caching request validator decides exactly as vertx-openapi's own")
class CachingRequestValidatorTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static RequestValidator upstream;
  private static CachingRequestValidator caching;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = Contract.load(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
    upstream = RequestValidator.create(vertx, contract);
    caching = new CachingRequestValidator(vertx, contract);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ValidatableRequest query(Map<String, String> params) {
    Map<String, RequestParameter> query = new HashMap<>();
    params.forEach((k, v) -> query.put(k, new RequestParameterImpl(v)));
    return new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), query);
  }

  private static ValidatableRequest body(String json) {
    return new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
        new RequestParameterImpl(Buffer.buffer(json)), "application/json");
  }

  /** "ok: {query} {body}" or the failure's class and message, so two validators can be compared. */
  private static String outcome(Future<ValidatedRequest> future) throws Exception {
    try {
      ValidatedRequest v = future.await(10, TimeUnit.SECONDS);
      Map<String, Object> query = new HashMap<>();
      v.getQuery().forEach((k, p) -> query.put(k, p.get()));
      return "ok: " + query + " " + (v.getBody() == null ? null : v.getBody().get());
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  @Test
  @DisplayName("builds one validator per parameter and body schema at start")
  void prebuilds() {
    for (var operation : contract.operations()) {
      for (var parameter : operation.getParameters()) {
        assertTrue(caching.prebuilt(parameter.getSchema()), operation.getOperationId() + " " + parameter.getName());
      }
      if (operation.getRequestBody() != null) {
        for (var mediaType : operation.getRequestBody().getContent().values()) {
          assertTrue(mediaType.getSchema() == null || caching.prebuilt(mediaType.getSchema()),
              operation.getOperationId() + " body");
        }
      }
    }
  }

  @Test
  @DisplayName("query parameters: valid, out of range, wrong type, missing and unknown enum give the same answers")
  void queryParameters() throws Exception {
    List<Map<String, String>> cases = List.of(
        Map.of("lat", "52.09", "lon", "5.12"),
        Map.of("lat", "52.09", "lon", "5.12", "radius", "2500", "dayOfWeek", "monday", "limit", "5"),
        Map.of("lat", "91", "lon", "5.12"),
        Map.of("lat", "north", "lon", "5.12"),
        Map.of("lon", "5.12"),
        Map.of("lat", "52.09", "lon", "5.12", "dayOfWeek", "3"),
        Map.of("lat", "52.09", "lon", "5.12", "radius", "0"));
    for (Map<String, String> c : cases) {
      String expected = outcome(upstream.validate(query(c), "listNearbyActivities"));
      assertEquals(expected, outcome(caching.validate(query(c), "listNearbyActivities")), c.toString());
    }
    assertTrue(outcome(caching.validate(query(cases.get(0)), "listNearbyActivities")).startsWith("ok:"));
    assertFalse(outcome(caching.validate(query(cases.get(2)), "listNearbyActivities")).startsWith("ok:"));
  }

  /** The outcome of validating one parameter value: the value as validated, or the error's class and message. */
  private static String parameterOutcome(java.util.function.Supplier<RequestParameter> validation) {
    try {
      Object value = validation.get().get();
      return "ok: " + (value == null ? null : value.getClass().getSimpleName() + " " + value);
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  @Test
  @DisplayName("every parameter of the contract: the plain-schema shortcut answers as the schema engine")
  void simpleParameters() {
    var engine = (io.vertx.openapi.validation.impl.RequestValidatorImpl) upstream;
    List<String> values = List.of("0", "1", "-1", "20", "52.09", "5.12", "-90", "90", "90.0000001", "-180.5", "180",
        "1e2", "1E400", "-0", "100", "101", "10000", "10001", "2147483647", "2147483648", "9007199254740993",
        "NaN", "Infinity", "-Infinity", "1.5", "true", "false", "TRUE", "yes", "", " ", "abc", "monday", "14:00",
        "00000000-0000-0000-0000-000000000000", "null", "[1]", "{}", "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "0A1B2C3D-4E5F-6789-ABCD-EF0123456789", "0a1b2c3d4e5f6789abcdef0123456789",
        "0a1b2c3d-4e5f-6789-abcd-ef012345678", "0a1b2c3d-4e5f-6789-abcd-ef012345678g",
        "{0a1b2c3d-4e5f-6789-abcd-ef0123456789}", "0a1b2c3d_4e5f_6789_abcd_ef01234567",
        " 0a1b2c3d-4e5f-6789-abcd-ef012345678", "0a1b2c3d-4e5f-6789-abcd-ef0123456789 ", "1-2-3-4-5",
        "\"0a1b2c3d-4e5f-6789-abcd-ef0123456789\"", "0a1b2c3d-4e5f-6789-abcd-ef01234567890",
        "friday", "Friday", "FRIDAY", "fri", "\"friday\"", "friday ", "open_inloop", "maaltijd", "other", "open-inloop",
        "digitaal_", "09:00", "9:00", "23:59", "24:00", "14:00:00", "word_42", "wörd", "a.b", ".monday", ";x=monday",
        "resident", "volunteer", "transport", "normal", "x".repeat(300));
    int simple = 0;
    int checked = 0;
    for (var operation : contract.operations()) {
      for (var parameter : operation.getParameters()) {
        if (caching.simple(parameter.getSchema())) {
          simple++;
        }
        for (String raw : values) {
          RequestParameter value = new RequestParameterImpl(raw);
          assertEquals(parameterOutcome(() -> engine.validateParameter(parameter, value)),
              parameterOutcome(() -> caching.validateParameter(parameter, value)),
              operation.getOperationId() + " " + parameter.getName() + "=" + raw);
          checked++;
        }
      }
    }
    var nearby = contract.operation("listNearbyActivities").getParameters();
    for (String name : List.of("lat", "lon", "radius", "limit", "accessibleOnly")) {
      assertTrue(nearby.stream().anyMatch(p -> p.getName().equals(name) && caching.simple(p.getSchema())), name);
    }
    // Enum and patterned strings: a valid value skips the engine, an invalid one does not.
    for (String[] fits : new String[][] {{"dayOfWeek", "friday", "Friday"}, {"category", "maaltijd", "food"},
        {"timeFrom", "09:30", "9:30"}}) {
      var schema = nearby.stream().filter(p -> p.getName().equals(fits[0])).findFirst().orElseThrow().getSchema();
      assertTrue(caching.plainParameter(schema, fits[1]), fits[0] + "=" + fits[1]);
      assertFalse(caching.plainParameter(schema, fits[2]), fits[0] + "=" + fits[2]);
    }
    assertTrue(contract.operation("acceptOffer").getParameters().stream()
        .anyMatch(p -> p.getName().equals("offerId") && caching.simple(p.getSchema())), "offerId");
    assertTrue(simple >= 10 && checked > 1000, simple + " simple parameters, " + checked + " values");
  }

  @Test
  @DisplayName("bodies: valid, invalid, unknown field, malformed and large give the same answers")
  void bodies() throws Exception {
    String valid = "{\"kind\":\"companionship\",\"urgency\":\"normal\",\"timeWindows\":[{\"start\":"
        + "\"2027-01-05T14:00:00+01:00\",\"end\":\"2027-01-05T16:00:00+01:00\"}],"
        + "\"companionship\":{\"activity\":\"visit\"}}";
    List<String> cases = List.of(valid,
        valid.replace("normal", "urgent"),
        valid.replace("{\"kind\"", "{\"status\":\"matched\",\"kind\""),
        "{\"kind\":",
        valid.replace("}}", "},\"note\":\"" + "x".repeat(CachingRequestValidator.INLINE_BODY_BYTES) + "\"}"));
    for (String c : cases) {
      String expected = outcome(upstream.validate(body(c), "createHelpRequest"));
      assertEquals(expected, outcome(caching.validate(body(c), "createHelpRequest")));
    }
    assertTrue(outcome(caching.validate(body(valid), "createHelpRequest")).startsWith("ok:"));
  }

  /** Values a mutation puts somewhere in a body: every kind of JSON value, at and past the contract's limits. */
  private static final List<Object> ODD_VALUES = List.of("", "x", "abc", "a\u0001b", "a\nb", "tab\there",
      "\uD83D\uDE00".repeat(40), "\uD83D\uDE00".repeat(41), "x".repeat(36), "x".repeat(41), "x".repeat(121),
      "x".repeat(201), "x".repeat(1001), "  ", "2026-12-01T10:00:00+01:00", "2026-12-01T10:00:00Z",
      "2026-13-01T10:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01", "2026-02-30", "10:00", "24:00",
      "9a1f2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b", "9A1F2B3C-4D5E-4F60-8A7B-1C2D3E4F5A6B", "9a1f2b3c4d5e4f608a7b1c2d3e4f5a6b",
      "transport", "companionship", "respite", "normal", "high", "visit", "walker", "wheelchair", "monday", "resident",
      "phone", "nl", "en", "WK034401", "BU03440101", 0, 1, -1, 29, 30, 480, 481, 1000, 2147483647, 2147483648L,
      -2147483649L, 9007199254740993L, 0.5, 52.1, 5.11, -90.0, 90.0, 90.5, -180.0, 180.5, 1e300, true, false);

  /** A copy of the body with one random change: a value replaced, a field dropped or added, an item added. */
  private static Object mutate(Object body, Random random) {
    Object copy = body instanceof JsonObject o ? o.copy() : body instanceof JsonArray a ? a.copy() : body;
    List<Object> containers = new ArrayList<>();
    collect(copy, containers);
    if (containers.isEmpty()) {
      return ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    }
    Object target = containers.get(random.nextInt(containers.size()));
    Object odd = random.nextInt(8) == 0 ? (random.nextBoolean() ? new JsonObject() : new JsonArray())
        : random.nextInt(12) == 0 ? null : ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    if (target instanceof JsonObject object) {
      List<String> names = new ArrayList<>(object.fieldNames());
      int choice = names.isEmpty() ? 2 : random.nextInt(4);
      String name = names.isEmpty() ? null : names.get(random.nextInt(names.size()));
      switch (choice) {
        case 0, 1 -> object.put(name, odd);
        case 2 -> object.put(random.nextBoolean() ? "extra" : "status", odd);
        default -> object.remove(name);
      }
    } else {
      JsonArray array = (JsonArray) target;
      int choice = array.isEmpty() ? 0 : random.nextInt(4);
      switch (choice) {
        case 0 -> array.add(odd);
        case 1 -> array.add(array.getValue(random.nextInt(array.size()))); // a duplicate item
        case 2 -> array.set(random.nextInt(array.size()), odd);
        default -> array.remove(random.nextInt(array.size()));
      }
    }
    return copy;
  }

  private static void collect(Object value, List<Object> containers) {
    if (value instanceof JsonObject object) {
      containers.add(object);
      object.fieldNames().forEach(name -> collect(object.getValue(name), containers));
    } else if (value instanceof JsonArray array) {
      containers.add(array);
      for (int i = 0; i < array.size(); i++) {
        collect(array.getValue(i), containers);
      }
    }
  }

  @Test
  @DisplayName("every body of the contract: the plain check accepts only what the schema engine accepts, on 16,000+ mutations of the examples")
  void plainBodies() {
    JsonObject paths = contract.getRawContract().getJsonObject("paths");
    Random random = new Random(20261124);
    int operations = 0;
    int plainExamples = 0;
    int mutants = 0;
    int engineValid = 0;
    int plainValid = 0;
    List<String> notPlain = new ArrayList<>();
    for (String path : paths.fieldNames()) {
      if (path.startsWith("__")) {
        continue; // the parsed contract's own annotation
      }
      for (String method : paths.getJsonObject(path).fieldNames()) {
        Object op = paths.getJsonObject(path).getValue(method);
        if (!(op instanceof JsonObject operation) || operation.getJsonObject("requestBody") == null) {
          continue;
        }
        String id = operation.getString("operationId");
        JsonObject media = operation.getJsonObject("requestBody").getJsonObject("content")
            .getJsonObject("application/json");
        var schema = contract.operation(id).getRequestBody().getContent().get("application/json").getSchema();
        Validator engine = contract.getSchemaRepository().validator(schema);
        Object example = withoutAnnotations(Json.decodeValue(Json.encode(media.getValue("example"))));
        operations++;
        assertTrue(engine.validate(example).getValid(), id + ": the contract's own example is valid: " + Json.encode(example));
        if (caching.plainBody(schema, example)) {
          plainExamples++;
        } else {
          notPlain.add(id);
        }
        Object body = example;
        for (int i = 0; i < 750; i++) {
          // Mostly one change from the example; sometimes a further change of the last mutant.
          body = mutate(random.nextInt(3) == 0 ? body : example, random);
          Object decoded = Json.decodeValue(Json.encode(body)); // numbers and containers as a request decodes them
          boolean valid = engine.validate(decoded).getValid();
          boolean plain = caching.plainBody(schema, decoded);
          mutants++;
          engineValid += valid ? 1 : 0;
          plainValid += plain ? 1 : 0;
          if (plain && !valid) {
            fail(id + ": the plain check accepted a body the engine rejects: " + Json.encode(decoded));
          }
          if (!valid) {
            body = example;
          }
        }
      }
    }
    assertTrue(operations >= 20, operations + " operations with a body");
    // The examples the plain check leaves to the engine use a keyword it does not read (oneOf, a nullable type).
    assertTrue(plainExamples >= operations - 6, plainExamples + " of " + operations + "; not plain: " + notPlain);
    assertFalse(notPlain.contains("createHelpRequest"), "a new request's example is checked plainly");
    // The mutations reach both sides: many valid bodies, most of them accepted plainly, and many invalid ones.
    assertTrue(engineValid > mutants / 10 && mutants - engineValid > mutants / 3, engineValid + " valid of " + mutants);
    assertTrue(plainValid > engineValid / 2, plainValid + " accepted plainly of " + engineValid + " valid");
  }

  /** The example as a client sends it: without the {@code __absolute_uri__} the parsed contract adds to objects. */
  private static Object withoutAnnotations(Object value) {
    if (value instanceof JsonObject object) {
      object.fieldNames().removeIf(name -> name.startsWith("__"));
      object.fieldNames().forEach(name -> withoutAnnotations(object.getValue(name)));
    } else if (value instanceof JsonArray array) {
      array.forEach(CachingRequestValidatorTest::withoutAnnotations);
    }
    return value;
  }

  @Test
  @DisplayName("an unknown operation fails as before")
  void unknownOperation() throws Exception {
    assertEquals(outcome(upstream.validate(query(Map.of()), "noSuchOperation")),
        outcome(caching.validate(query(Map.of()), "noSuchOperation")));
  }
}
