package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        "\"0a1b2c3d-4e5f-6789-abcd-ef0123456789\"", "0a1b2c3d-4e5f-6789-abcd-ef01234567890");
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

  @Test
  @DisplayName("an unknown operation fails as before")
  void unknownOperation() throws Exception {
    assertEquals(outcome(upstream.validate(query(Map.of()), "noSuchOperation")),
        outcome(caching.validate(query(Map.of()), "noSuchOperation")));
  }
}
