package nl.omzien.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.impl.Format;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A body schema compiled into a plain check that says yes only where the JSON Schema engine would.
 *
 * <p>A load run's profile of {@code POST /v1/requests} (README "Load runs", item 14) put a third of the server's JFR
 * execution samples in the engine validating a ~0.7 KB body (JFR overstated it: ~0.1 ms of a create's CPU): it
 * compiles every {@code pattern} again for every string it checks ({@code Pattern.compile} inside
 * {@code SchemaValidatorImpl}) and builds output units as it goes. Here each pattern is compiled once, at start, and
 * a body that plainly fits is accepted without the engine.
 *
 * <p>Only these keywords are understood: {@code $ref} (alone, apart from annotations), {@code type} (one of object,
 * array, string, integer, number, boolean), {@code properties}, {@code required}, {@code additionalProperties}
 * (absent, true or false), {@code items}, {@code minItems}, {@code maxItems}, {@code uniqueItems} (of strings),
 * {@code enum} (of strings), {@code minLength}, {@code maxLength}, {@code pattern}, {@code format} (the engine's own
 * string formats via its {@link Format#fastFormat}; int32 and int64 on integers), {@code minimum} and
 * {@code maximum}, plus annotations. A schema node with anything else (oneOf, a nullable type list, ...) accepts
 * nothing, so such a value, and every invalid body, goes to the engine: every error and its message stay the
 * engine's. {@code CachingRequestValidatorTest.plainBodies} checks that on mutations of every body example in the
 * contract.
 */
final class BodyCheck {
  private static final Set<String> ANNOTATIONS = Set.of("description", "default", "example", "examples",
      "title", "deprecated", "readOnly", "writeOnly", "$comment");
  /** Formats that vertx-openapi's format validator checks on numbers and rejects on any other instance. */
  private static final Set<String> NUMBER_FORMATS = Set.of("int32", "int64", "float", "double");

  /** A compiled schema node: true only for a value the engine would accept. */
  interface Node {
    boolean accepts(Object value);
  }

  private static final Node NOTHING = value -> false;

  private final SchemaRepository repository;
  /** By absolute {@code $ref}: a referenced schema is compiled once, and a cycle ends at its holder. */
  private final Map<String, Ref> refs = new HashMap<>();
  private final Node root;

  /** The check for a body schema, its {@code $ref}s looked up in the contract's repository. */
  BodyCheck(SchemaRepository repository, JsonSchema schema) {
    this.repository = repository;
    this.root = compile(json(schema));
  }

  /** Keys that do not constrain a value: annotations, and the {@code __} ones the schema repository adds. */
  static boolean annotation(String key) {
    return ANNOTATIONS.contains(key) || key.startsWith("__");
  }

  /** Whether the engine would accept this decoded body (false means "ask the engine", not "invalid"). */
  boolean accepts(Object body) {
    return root.accepts(body);
  }

  private static JsonObject json(JsonSchema schema) {
    JsonObject json = new JsonObject();
    for (String key : schema.fieldNames()) {
      json.put(key, (Object) schema.get(key));
    }
    return json;
  }

  /** A {@code $ref}'s node, filled in once its target is compiled (the target may refer back to it). */
  private static final class Ref implements Node {
    private Node target = NOTHING;

    @Override
    public boolean accepts(Object value) {
      return target.accepts(value);
    }
  }

  private Node compile(Object schemaValue) {
    if (Boolean.TRUE.equals(schemaValue)) {
      return value -> true;
    }
    if (!(schemaValue instanceof JsonObject schema)) {
      return NOTHING;
    }
    Object ref = schema.getValue("$ref");
    if (ref != null) {
      return ref instanceof String pointer && only(schema, Set.of("$ref")) ? ref(pointer) : NOTHING;
    }
    Object type = schema.getValue("type");
    if (!(type instanceof String)) {
      return NOTHING;
    }
    try {
      return switch ((String) type) {
        case "object" -> object(schema);
        case "array" -> array(schema);
        case "string" -> string(schema);
        case "integer", "number" -> number(schema, "integer".equals(type));
        case "boolean" -> only(schema, Set.of("type")) ? value -> value instanceof Boolean : NOTHING;
        default -> NOTHING;
      };
    } catch (ClassCastException | IllegalArgumentException e) {
      return NOTHING; // a keyword with a value of an unexpected kind: the engine's to judge
    }
  }

  private Node ref(String pointer) {
    Ref known = refs.get(pointer);
    if (known != null) {
      return known;
    }
    Ref holder = new Ref();
    refs.put(pointer, holder);
    JsonSchema target = repository.find(pointer);
    holder.target = target == null ? NOTHING : compile(json(target));
    return holder;
  }

  /** Whether the schema has no keywords but these and annotations. */
  private static boolean only(JsonObject schema, Set<String> allowed) {
    for (String key : schema.fieldNames()) {
      if (!allowed.contains(key) && !annotation(key)) {
        return false;
      }
    }
    return true;
  }

  private Node object(JsonObject schema) {
    if (!only(schema, Set.of("type", "properties", "required", "additionalProperties"))) {
      return NOTHING;
    }
    Object additional = schema.getValue("additionalProperties");
    if (additional != null && !(additional instanceof Boolean)) {
      return NOTHING;
    }
    boolean closed = Boolean.FALSE.equals(additional);
    Map<String, Node> properties = new HashMap<>();
    JsonObject declared = schema.getJsonObject("properties", new JsonObject());
    for (String name : declared.fieldNames()) {
      properties.put(name, compile(declared.getValue(name)));
    }
    List<String> required = new ArrayList<>();
    for (Object name : schema.getJsonArray("required", new JsonArray())) {
      required.add((String) name);
    }
    return value -> {
      if (!(value instanceof JsonObject object)) {
        return false;
      }
      for (String name : required) {
        if (!object.containsKey(name)) {
          return false;
        }
      }
      for (String name : object.fieldNames()) {
        Node property = properties.get(name);
        if (property == null ? closed : !property.accepts(object.getValue(name))) {
          return false;
        }
      }
      return true;
    };
  }

  private Node array(JsonObject schema) {
    if (!only(schema, Set.of("type", "items", "minItems", "maxItems", "uniqueItems"))) {
      return NOTHING;
    }
    Node items = schema.containsKey("items") ? compile(schema.getValue("items")) : value -> true;
    int min = count(schema, "minItems", 0);
    int max = count(schema, "maxItems", Integer.MAX_VALUE);
    Object unique = schema.getValue("uniqueItems");
    if (unique != null && !(unique instanceof Boolean)) {
      return NOTHING;
    }
    boolean distinct = Boolean.TRUE.equals(unique);
    return value -> {
      if (!(value instanceof JsonArray array) || array.size() < min || array.size() > max) {
        return false;
      }
      for (int i = 0; i < array.size(); i++) {
        if (!items.accepts(array.getValue(i))) {
          return false;
        }
      }
      if (distinct) {
        Set<String> seen = new HashSet<>();
        for (Object item : array) {
          if (!(item instanceof String text) || !seen.add(text)) {
            return false; // only strings are compared here; anything else is the engine's
          }
        }
      }
      return true;
    };
  }

  private Node string(JsonObject schema) {
    if (!only(schema, Set.of("type", "enum", "minLength", "maxLength", "pattern", "format"))) {
      return NOTHING;
    }
    Set<String> allowed = null;
    if (schema.containsKey("enum")) {
      allowed = new HashSet<>();
      for (Object option : schema.getJsonArray("enum")) {
        if (!(option instanceof String text)) {
          return NOTHING;
        }
        allowed.add(text);
      }
    }
    int min = count(schema, "minLength", 0);
    int max = count(schema, "maxLength", Integer.MAX_VALUE);
    Pattern pattern = schema.containsKey("pattern") ? Pattern.compile(schema.getString("pattern")) : null;
    String format = schema.getString("format");
    if (format != null && NUMBER_FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
      return NOTHING;
    }
    Set<String> options = allowed;
    return value -> {
      if (!(value instanceof String text)) {
        return false;
      }
      if (options != null && !options.contains(text)) {
        return false;
      }
      if (min > 0 || max < Integer.MAX_VALUE) {
        int length = text.codePointCount(0, text.length()); // the engine counts code points (ucs2length)
        if (length < min || length > max) {
          return false;
        }
      }
      return (pattern == null || pattern.matcher(text).find()) && (format == null || Format.fastFormat(format, text));
    };
  }

  private Node number(JsonObject schema, boolean integer) {
    if (!only(schema, Set.of("type", "minimum", "maximum", "format"))) {
      return NOTHING;
    }
    String format = schema.getString("format");
    if (format != null && !(integer && (format.equals("int32") || format.equals("int64")))) {
      return NOTHING;
    }
    Number minimum = (Number) schema.getValue("minimum");
    Number maximum = (Number) schema.getValue("maximum");
    boolean int32 = "int32".equals(format);
    return value -> {
      double number;
      if (value instanceof Integer || value instanceof Long && !int32) {
        long whole = ((Number) value).longValue();
        if (Math.abs(whole) >= (1L << 52)) {
          return false; // compared as doubles below only where that is exact
        }
        number = whole;
      } else if (!integer && value instanceof Double d && !d.isNaN() && !d.isInfinite()) {
        number = d;
      } else {
        return false;
      }
      return (minimum == null || number >= minimum.doubleValue()) && (maximum == null || number <= maximum.doubleValue());
    };
  }

  private static int count(JsonObject schema, String key, int absent) {
    Object value = schema.getValue(key);
    if (value == null) {
      return absent;
    }
    if (!(value instanceof Integer count) || count < 0) {
      throw new IllegalArgumentException(key);
    }
    return count;
  }
}
