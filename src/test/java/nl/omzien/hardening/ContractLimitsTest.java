package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import nl.omzien.config.OmzienConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Resource limits the contract must state for everything a client sends (OWASP API4), checked on every
 * request body and parameter of {@code openapi/omzien.yaml}, so a new operation cannot forget them: strings
 * have a length bound, arrays a size bound, numbers a range, pages a maximum size, objects no room for extra
 * fields (API3, mass assignment), and no field is a URL the server would fetch (API7, SSRF).
 */
@DisplayName("The contract bounds everything a client sends (OWASP API3, API4, API7)")
class ContractLimitsTest {
  /** A pattern that cannot match more than a bounded number of characters: no +, * or open {n,}. */
  private static final Pattern UNBOUNDED = Pattern.compile("(?<!\\\\)[+*]|\\{\\d+,}");
  private static final int LARGEST_PAGE = 200;
  /** Admin tools may read more at once (the push dry-run log holds at most 1,000 messages, all in memory). */
  private static final int LARGEST_ADMIN_PAGE = 1_000;
  private static Vertx vertx;
  private static Spec spec;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    spec = Spec.load(vertx);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await();
  }

  @Test
  @DisplayName("every string has a maximum length, every array a maximum size, every number a range, "
      + "every object refuses unknown fields, and nothing is a URL")
  void bounded() {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Spec.Op op : spec.operations()) {
      for (Spec.Param param : op.params()) {
        checked += check(param.schema(), op.operationId() + " " + param.in() + " " + param.name(), problems,
            new HashSet<>());
      }
      if (op.hasBody()) {
        checked += check(op.bodySchema().get(), op.operationId() + " body", problems, new HashSet<>());
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(checked > 100, "checked " + checked + " schemas");
  }

  @Test
  @DisplayName("every page size has a maximum: at most " + LARGEST_PAGE + ", for admin tools " + LARGEST_ADMIN_PAGE)
  void pageSizes() {
    int pages = 0;
    for (Spec.Op op : spec.operations()) {
      for (Spec.Param param : op.params("query")) {
        if (param.name().equals("limit")) {
          JsonObject schema = spec.resolve(param.schema());
          int largest = op.roles().equals(List.of(nl.omzien.auth.Role.ADMIN)) ? LARGEST_ADMIN_PAGE : LARGEST_PAGE;
          assertTrue(schema.containsKey("maximum") && schema.getInteger("maximum") <= largest,
              op.operationId() + " limit");
          assertTrue(schema.getInteger("minimum", 0) >= 1, op.operationId() + " limit");
          pages++;
        }
      }
    }
    assertTrue(pages >= 3);
  }

  @Test
  @DisplayName("the body limit is small by default and every body-taking operation declares 413")
  void bodyLimit() {
    assertTrue(OmzienConfig.from(java.util.Map.of()).maxBodyBytes() <= 1024 * 1024);
    List<String> missing = spec.operations().stream().filter(Spec.Op::hasBody)
        .filter(op -> !op.declaredStatuses().contains("413") && !op.declaredStatuses().contains("400"))
        .map(Spec.Op::operationId).toList();
    assertEquals(List.of(), missing, "operations with a body and no 400/413 declared");
  }

  @Test
  @DisplayName("every operation but health declares 429 (rate limited), and every one that may need the database "
      + "503 (health and the static docs do not)")
  void limitResponses() {
    List<String> missing = new ArrayList<>();
    for (Spec.Op op : spec.operations()) {
      if (op.tags().contains("health")) {
        continue;
      }
      if (!op.declaredStatuses().contains("429")) {
        missing.add(op.operationId() + " 429");
      }
      if (!op.tags().contains("docs") && !op.declaredStatuses().contains("503")) {
        missing.add(op.operationId() + " 503");
      }
    }
    assertEquals(List.of(), missing);
  }

  /** Checks one schema and what it contains; returns how many schemas were looked at. */
  private static int check(JsonObject schemaOrRef, String where, List<String> problems, Set<String> seen) {
    String ref = schemaOrRef.getString("$ref");
    if (ref != null && !seen.add(ref)) {
      return 0;
    }
    JsonObject schema = spec.resolve(schemaOrRef);
    String at = where + (ref == null ? "" : " (" + ref.substring(ref.lastIndexOf('/') + 1) + ")");
    int checked = 1;
    for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
      for (Object part : schema.getJsonArray(combinator, new JsonArray())) {
        checked += check((JsonObject) part, where, problems, seen);
      }
    }
    if (schema.containsKey("enum") || schema.containsKey("const")) {
      return checked;
    }
    Object type = schema.getValue("type");
    List<String> types = type instanceof JsonArray array ? array.stream().map(Object::toString).toList()
        : type == null ? List.of() : List.of(type.toString());
    if (types.contains("string")) {
      String format = schema.getString("format", "");
      String pattern = schema.getString("pattern");
      boolean bounded = schema.containsKey("maxLength") || format.equals("uuid")
          || (pattern != null && pattern.startsWith("^") && pattern.endsWith("$") && !UNBOUNDED.matcher(pattern).find());
      if (!bounded) {
        problems.add(at + ": a string without maxLength");
      }
      if (format.equals("uri") || format.equals("url") || format.equals("uri-reference")) {
        problems.add(at + ": a URL in a request (what would the server do with it?)");
      }
    }
    if (types.contains("array")) {
      if (!schema.containsKey("maxItems")) {
        problems.add(at + ": an array without maxItems");
      }
      if (schema.getValue("items") instanceof JsonObject items) {
        checked += check(items, where + "[]", problems, seen);
      }
    }
    if (types.contains("integer") || types.contains("number")) {
      if (!schema.containsKey("maximum") && !schema.containsKey("exclusiveMaximum")
          || !schema.containsKey("minimum") && !schema.containsKey("exclusiveMinimum")) {
        problems.add(at + ": a number without a range");
      }
    }
    if (types.contains("object") || schema.containsKey("properties")) {
      if (!Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
        problems.add(at + ": an object that accepts unknown fields");
      }
      JsonObject properties = schema.getJsonObject("properties", new JsonObject());
      for (String name : properties.fieldNames()) {
        checked += check(properties.getJsonObject(name), where + "/" + name, problems, seen);
      }
    }
    return checked;
  }
}
