package nl.omzien.hardening;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import nl.omzien.auth.Role;

/**
 * Turns an operation of the contract into hostile requests: a valid request is built from the operation's
 * schemas (or its example), then one thing is broken - a body value (wrong type, null, boundary or huge
 * number, boundary or huge or nasty string, overlong array, missing required or unknown property), the body as a
 * whole (truncated, empty, not JSON, wrong root, deep nesting, duplicate keys, invalid UTF-8, over the size
 * limit, 10 MB), the content type, a path parameter, a query parameter or a header. Some requests are sent
 * unbroken, so the success paths are exercised too. Everything comes from the seeded {@link Random}.
 */
final class Fuzzer {
  /** One request to send. {@code mutation} names what was broken, for the report. */
  record Case(Spec.Op op, String mutation, Role role, String uri, Map<String, String> headers, Buffer body) {
    String describe() {
      return op.operationId() + " [" + mutation + "] as " + role.wire() + ": " + op.method().toUpperCase() + " "
          + (uri.length() > 160 ? uri.substring(0, 160) + "..." : uri)
          + (body == null ? "" : " body(" + body.length() + " B): "
          + abbreviate(body.toString(StandardCharsets.UTF_8)));
    }

    boolean oversize() {
      return mutation.startsWith("body:oversize") || mutation.startsWith("body:10MB");
    }

    private static String abbreviate(String s) {
      return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
  }

  private static final List<String> SERVER_OWNED = List.of("status", "residentId", "ownerId", "userId", "score",
      "volunteerId", "roles", "wijken", "id", "createdAt", "updatedAt", "organisationId", "wijk", "buurt",
      "enteredByProxy", "admin", "__proto__", "constructor", "$where");
  private static final List<String> BAD_UUIDS = List.of("not-a-uuid", "0", "-1", "00000000-0000-0000-0000-00000000000g",
      "123e4567-e89b-12d3-a456-4266141740000", "{123e4567-e89b-12d3-a456-426614174000}",
      "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", " ", "null", "undefined",
      "' or '1'='1", "../../../etc/passwd", "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9", "\ud83d\udc75",
      "a".repeat(5_000), "123e4567-e89b-12d3-a456-426614174000;drop", "\u0000");
  /** Path segments sent exactly as written (no encoding): broken escapes, encoded separators, overlong UTF-8. */
  private static final List<String> RAW_SEGMENTS = List.of("%00", "%zz", "%", "%C0%AF", "..%2F..%2Fetc",
      "%2e%2e", "%FF%FE", "a%0d%0aX-Injected:%201", "%u0041", ";jsessionid=1", "%252F");
  private static final List<String> BAD_CONTENT_TYPES = List.of("text/plain", "application/xml",
      "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
      "application/javascript", "application/jsonx", "*/*", "application/json, text/plain", "json", "");

  private final Spec spec;
  private final Random random;
  private final SchemaValues values;
  private final Map<String, List<String>> ids;

  Fuzzer(Spec spec, Random random, Map<String, List<String>> ids) {
    this.spec = spec;
    this.random = random;
    this.values = new SchemaValues(spec, random);
    this.ids = ids;
  }

  /** A request for {@code op} with one thing broken (or none, about one in twelve). */
  Case next(Spec.Op op) {
    Request request = base(op);
    List<Runnable> mutations = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (op.hasBody()) {
      addTimes(mutations, names, 6, "body-value", () -> mutateBodyValue(request));
      addTimes(mutations, names, 3, "body", () -> mutateBody(request));
      addTimes(mutations, names, 1, "content-type", () -> mutateContentType(request));
    }
    if (!op.params("path").isEmpty()) {
      addTimes(mutations, names, 2, "path", () -> mutatePath(request));
    }
    if (!op.params("query").isEmpty()) {
      addTimes(mutations, names, 3, "query", () -> mutateQuery(request));
    } else {
      addTimes(mutations, names, 1, "query", () -> unknownQuery(request));
    }
    if (!op.params("header").isEmpty()) {
      addTimes(mutations, names, 1, "header", () -> mutateHeader(request));
    }
    if (!op.hasBody()) {
      addTimes(mutations, names, 1, "unexpected-body", () -> unexpectedBody(request));
    }
    if (random.nextInt(12) == 0 || mutations.isEmpty()) {
      request.mutation = "none";
    } else {
      mutations.get(random.nextInt(mutations.size())).run();
    }
    return request.toCase();
  }

  private static void addTimes(List<Runnable> list, List<String> names, int times, String name, Runnable mutation) {
    for (int i = 0; i < times; i++) {
      list.add(mutation);
      names.add(name);
    }
  }

  /** A request under construction. */
  private final class Request {
    final Spec.Op op;
    final Role role;
    final Map<String, String> pathValues = new LinkedHashMap<>();
    final Map<String, String> rawPath = new LinkedHashMap<>();
    final List<String[]> query = new ArrayList<>();
    final List<String> rawQuery = new ArrayList<>();
    final Map<String, String> headers = new LinkedHashMap<>();
    Object body;
    boolean hasBody;
    Buffer rawBody;
    String contentType = "application/json";
    boolean asciiOnly;
    String mutation = "none";

    Request(Spec.Op op) {
      this.op = op;
      this.role = op.roles().isEmpty() ? Role.RESIDENT : op.roles().get(random.nextInt(op.roles().size()));
      this.asciiOnly = random.nextBoolean();
    }

    Case toCase() {
      String path = op.path();
      for (Spec.Param param : op.params("path")) {
        String value = rawPath.containsKey(param.name()) ? rawPath.get(param.name())
            : Encoding.pathSegment(pathValues.get(param.name()));
        path = path.replace("{" + param.name() + "}", value);
      }
      List<String> parts = new ArrayList<>();
      for (String[] pair : query) {
        parts.add(Encoding.query(pair[0]) + "=" + Encoding.query(pair[1]));
      }
      parts.addAll(rawQuery);
      String uri = parts.isEmpty() ? path : path + "?" + String.join("&", parts);
      Map<String, String> allHeaders = new LinkedHashMap<>(headers);
      Buffer payload = null;
      if (rawBody != null) {
        payload = rawBody;
      } else if (hasBody) {
        payload = Buffer.buffer(JsonText.encode(body, asciiOnly).getBytes(StandardCharsets.UTF_8));
      }
      if (payload != null && contentType != null) {
        allHeaders.put("Content-Type", contentType);
      }
      return new Case(op, mutation, role, uri, allHeaders, payload);
    }
  }

  private Request base(Spec.Op op) {
    Request request = new Request(op);
    for (Spec.Param param : op.params("path")) {
      request.pathValues.put(param.name(), knownIdOr(param.name(), () -> String.valueOf(values.valid(param.schema(),
          param.name()))));
    }
    for (Spec.Param param : op.params("query")) {
      if (param.required() || random.nextInt(3) == 0) {
        request.query.add(new String[] {param.name(), String.valueOf(values.valid(param.schema(), param.name()))});
      }
    }
    for (Spec.Param param : op.params("header")) {
      if (param.required() || random.nextInt(3) == 0) {
        request.headers.put(param.name(), param.name().equalsIgnoreCase("Idempotency-Key")
            ? "fuzz-" + UUID.randomUUID() : String.valueOf(values.valid(param.schema(), param.name())));
      }
    }
    if (op.hasBody()) {
      request.hasBody = true;
      request.body = op.bodyExample().isPresent() && random.nextInt(10) < 7
          ? SchemaValues.freshen(op.bodyExample().get())
          : values.valid(op.bodySchema().get(), "");
      useKnownIds(request.body);
    }
    return request;
  }

  private String knownIdOr(String name, java.util.function.Supplier<String> otherwise) {
    List<String> known = ids.get(name);
    if (known != null && !known.isEmpty() && random.nextInt(10) < 8) {
      return known.get(random.nextInt(known.size()));
    }
    return otherwise.get();
  }

  /** Properties named like a known id (venueId, ...) mostly get a real one, so bodies reach the domain rules. */
  private void useKnownIds(Object node) {
    if (node instanceof JsonObject object) {
      for (String name : new ArrayList<>(object.fieldNames())) {
        Object value = object.getValue(name);
        if (value instanceof String && ids.containsKey(name)) {
          object.put(name, knownIdOr(name, () -> (String) value));
        } else {
          useKnownIds(value);
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(this::useKnownIds);
    }
  }

  // ---- body values -------------------------------------------------------------------------------------------

  /** A place in the body: how to reach it, its schema, and the schema of the object holding it. */
  private record Slot(List<Object> path, JsonObject schema, JsonObject parentSchema) {
  }

  private void mutateBodyValue(Request request) {
    List<Slot> slots = new ArrayList<>();
    collect(request.body, request.op.bodySchema().get(), null, new ArrayList<>(), slots);
    Slot slot = slots.get(random.nextInt(slots.size()));
    JsonObject schema = slot.schema();
    String type = schema == null ? "any" : SchemaValues.type(schema);
    String where = pointer(slot.path());
    List<String> kinds = new ArrayList<>(List.of("wrong-type", "null", "nasty-string", "unknown-property"));
    if (schema != null) {
      switch (type) {
        case "integer", "number" -> kinds.addAll(List.of("number", "number", "number", "raw-number"));
        case "string" -> kinds.addAll(List.of("string-length", "string-length", "nasty-string", "bad-format"));
        case "array" -> kinds.addAll(List.of("overlong-array", "overlong-array"));
        default -> {
        }
      }
    }
    Object parent = parentOf(request.body, slot.path());
    if (parent instanceof JsonObject && slot.parentSchema() != null
        && slot.parentSchema().getJsonArray("required", new JsonArray()).contains(last(slot.path()))) {
      kinds.add("missing-required");
      kinds.add("missing-required");
    }
    String kind = kinds.get(random.nextInt(kinds.size()));
    request.mutation = "body-value:" + kind + "@" + where;
    switch (kind) {
      case "wrong-type" -> set(request, slot.path(), pick(values.wrongTypes(schema == null ? new JsonObject()
          : schema)));
      case "null" -> set(request, slot.path(), null);
      case "number" -> set(request, slot.path(), pick(values.boundaryNumbers(schema)));
      case "raw-number" -> {
        String token = pick(List.of("NaN", "Infinity", "-Infinity", "1e99999", "-", "01", "0x10", "1.", ".5",
            "+1", "1e", "--1", "9".repeat(400)));
        request.mutation += ":" + (token.length() > 10 ? token.substring(0, 10) + "..." : token);
        set(request, slot.path(), "\u0001RAW\u0001");
        String text = JsonText.encode(request.body, request.asciiOnly).replace("\"\\u0001RAW\\u0001\"", token)
            .replace("\"\u0001RAW\u0001\"", token);
        request.rawBody = Buffer.buffer(text);
      }
      case "string-length" -> set(request, slot.path(), pick(values.boundaryStrings(schema)));
      case "nasty-string" -> set(request, slot.path(), pick(SchemaValues.NASTY_STRINGS));
      case "bad-format" -> set(request, slot.path(), pick(List.of("2026-02-30", "2026-13-01", "26-12-01",
          "2026-12-01T25:00:00Z", "2026-12-01T10:00:00", "2026-12-01 10:00:00+01:00", "+275760-09-13T00:00:00Z",
          "0000-01-01T00:00:00Z", "24:00", "9:5", "10:00:00", "WK999999", "xx", "NL", "\u0661\u0662:\u0663\u0664",
          UUID.randomUUID().toString().toUpperCase(), "0000-00-00", "-2026-01-01")));
      case "overlong-array" -> set(request, slot.path(), pick(values.overlongArrays(schema, String.valueOf(
          last(slot.path())))));
      case "missing-required" -> ((JsonObject) parent).remove((String) last(slot.path()));
      default -> { // unknown-property: into the object at the slot, or its parent
        JsonObject target = resolveObject(request.body, slot.path());
        String name = random.nextInt(3) == 0 ? "x-fuzz-" + random.nextInt(1000) : pick(SERVER_OWNED);
        request.mutation = "body-value:unknown-property:" + name + "@" + where;
        if (target != null) {
          target.put(name, pick(List.of("admin", 100, true, UUID.randomUUID().toString(), "matched")));
        } else {
          request.mutation = "body-value:wrong-type@" + where;
          set(request, slot.path(), new JsonObject().put(name, 1));
        }
      }
    }
  }

  private void collect(Object value, JsonObject schemaOrRef, JsonObject parentSchema, List<Object> path,
                       List<Slot> into) {
    JsonObject schema = schemaOrRef == null ? null : pickBranch(spec.resolve(schemaOrRef), value);
    into.add(new Slot(List.copyOf(path), schema, parentSchema));
    if (value instanceof JsonObject object) {
      JsonObject properties = schema == null ? new JsonObject() : schema.getJsonObject("properties", new JsonObject());
      for (String name : object.fieldNames()) {
        path.add(name);
        collect(object.getValue(name), properties.getJsonObject(name), schema, path, into);
        path.remove(path.size() - 1);
      }
    } else if (value instanceof JsonArray array) {
      JsonObject items = schema == null ? null : schema.getJsonObject("items");
      for (int i = 0; i < array.size(); i++) {
        path.add(i);
        collect(array.getValue(i), items, schema, path, into);
        path.remove(path.size() - 1);
      }
    }
  }

  /** For oneOf/anyOf, the branch that fits the value best (its properties cover the value's keys). */
  private JsonObject pickBranch(JsonObject schema, Object value) {
    for (String combinator : List.of("oneOf", "anyOf")) {
      if (schema.containsKey(combinator)) {
        JsonObject best = null;
        for (Object option : schema.getJsonArray(combinator)) {
          JsonObject resolved = spec.resolve((JsonObject) option);
          if ("null".equals(resolved.getValue("type"))) {
            continue;
          }
          if (best == null) {
            best = resolved;
          }
          if (value instanceof JsonObject object && resolved.containsKey("properties")
              && resolved.getJsonObject("properties").fieldNames().containsAll(object.fieldNames())) {
            return resolved;
          }
        }
        return best == null ? schema : best;
      }
    }
    return schema;
  }

  private static String pointer(List<Object> path) {
    StringBuilder out = new StringBuilder();
    for (Object part : path) {
      out.append('/').append(part);
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  private static Object last(List<Object> path) {
    return path.isEmpty() ? "" : path.get(path.size() - 1);
  }

  private static Object parentOf(Object root, List<Object> path) {
    Object node = root;
    for (int i = 0; i < path.size() - 1; i++) {
      node = child(node, path.get(i));
    }
    return path.isEmpty() ? null : node;
  }

  private static Object child(Object node, Object key) {
    if (node instanceof JsonObject object) {
      return object.getValue((String) key);
    }
    if (node instanceof JsonArray array) {
      return array.getValue((Integer) key);
    }
    return null;
  }

  private static JsonObject resolveObject(Object root, List<Object> path) {
    Object node = root;
    for (Object part : path) {
      node = child(node, part);
    }
    if (node instanceof JsonObject object) {
      return object;
    }
    Object parent = parentOf(root, path);
    return parent instanceof JsonObject object ? object : null;
  }

  private static void set(Request request, List<Object> path, Object value) {
    if (path.isEmpty()) {
      request.body = value;
      return;
    }
    Object parent = parentOf(request.body, path);
    Object key = last(path);
    if (parent instanceof JsonObject object) {
      object.put((String) key, value);
    } else if (parent instanceof JsonArray array) {
      array.set((Integer) key, value);
    }
  }

  // ---- the body as a whole -----------------------------------------------------------------------------------

  private void mutateBody(Request request) {
    String text = JsonText.encode(request.body, request.asciiOnly);
    String kind = pick(List.of("truncated", "truncated", "empty", "not-json", "root-array", "root-scalar",
        "root-null", "deep-nesting", "duplicate-keys", "invalid-utf8", "bom", "trailing-garbage", "comments",
        "single-quotes", "oversize", "10MB"));
    if (kind.equals("10MB") && random.nextInt(4) != 0) {
      kind = "oversize"; // a 10 MB body costs a second or so: about one in sixty-four cases
    }
    request.mutation = "body:" + kind;
    request.rawBody = switch (kind) {
      case "truncated" -> Buffer.buffer(text.substring(0, random.nextInt(Math.max(1, text.length()))));
      case "empty" -> Buffer.buffer();
      case "not-json" -> Buffer.buffer(pick(List.of("hello", "<xml/>", "a=1&b=2", "\u0000\u0001\u0002", "{{}}",
          "{\"a\":}", "[1,2", "{\"a\" 1}", "undefined")));
      case "root-array" -> Buffer.buffer("[" + text + "]");
      case "root-scalar" -> Buffer.buffer(pick(List.of("42", "\"text\"", "true", "1e400")));
      case "root-null" -> Buffer.buffer("null");
      case "deep-nesting" -> Buffer.buffer("[".repeat(5_000) + "]".repeat(5_000));
      case "duplicate-keys" -> Buffer.buffer(text.startsWith("{") && text.length() > 2
          ? "{" + text.substring(1, text.length() - 1) + "," + text.substring(1) : "{\"a\":1,\"a\":2}");
      case "invalid-utf8" -> invalidUtf8(text);
      case "bom" -> Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendString(text);
      case "trailing-garbage" -> Buffer.buffer(text + pick(List.of("}", "]", "x", "{}", "\u0000", " null")));
      case "comments" -> Buffer.buffer("/* c */" + text + "// c");
      case "single-quotes" -> Buffer.buffer(text.replace('"', '\''));
      case "oversize" -> Buffer.buffer("{\"pad\":\"" + "a".repeat(100_000) + "\"}");
      default -> tenMegabytes();
    };
  }

  private Buffer invalidUtf8(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] bad = pick(List.of(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xFF},
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80},
        new byte[] {(byte) 0xE2, (byte) 0x82}));
    // Put it inside the first string value, where a parser has to decode it.
    int quote = text.indexOf(":\"");
    int at = quote < 0 ? bytes.length / 2 : new String(bytes, StandardCharsets.UTF_8).substring(0, quote + 2)
        .getBytes(StandardCharsets.UTF_8).length;
    return Buffer.buffer().appendBytes(bytes, 0, at).appendBytes(bad).appendBytes(bytes, at, bytes.length - at);
  }

  private static Buffer tenMegabytes() {
    byte[] body = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) 'a');
    byte[] head = "{\"displayName\":\"".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, body, 0, head.length);
    body[body.length - 2] = '"';
    body[body.length - 1] = '}';
    return Buffer.buffer(body);
  }

  private void mutateContentType(Request request) {
    request.contentType = pick(BAD_CONTENT_TYPES);
    if (request.contentType.isEmpty()) {
      request.contentType = null; // no Content-Type header at all
    }
    request.mutation = "content-type:" + (request.contentType == null ? "(none)" : request.contentType);
  }

  private void unexpectedBody(Request request) {
    request.hasBody = true;
    request.body = new JsonObject().put("status", "matched").put("roles", new JsonArray().add("admin"));
    request.mutation = "unexpected-body";
  }

  // ---- parameters --------------------------------------------------------------------------------------------

  private void mutatePath(Request request) {
    List<Spec.Param> params = request.op.params("path");
    Spec.Param param = pick(params);
    int choice = random.nextInt(10);
    if (choice < 5) {
      String value = pick(BAD_UUIDS);
      request.pathValues.put(param.name(), value);
      request.mutation = "path:" + param.name() + "=" + shorten(value);
    } else if (choice < 7) {
      String value = pick(RAW_SEGMENTS);
      request.rawPath.put(param.name(), value);
      request.mutation = "path-raw:" + param.name() + "=" + value;
    } else if (choice < 9) {
      request.pathValues.put(param.name(), UUID.randomUUID().toString());
      request.mutation = "path:" + param.name() + "=unknown-uuid";
    } else {
      // Another kind of object's id: an activity id where a request id belongs, and so on.
      List<String> all = ids.values().stream().flatMap(List::stream).toList();
      request.pathValues.put(param.name(), pick(all));
      request.mutation = "path:" + param.name() + "=id-of-something-else";
    }
  }

  private void mutateQuery(Request request) {
    List<Spec.Param> params = request.op.params("query");
    Spec.Param param = pick(params);
    request.query.removeIf(pair -> pair[0].equals(param.name()));
    int choice = random.nextInt(10);
    JsonObject schema = spec.resolve(param.schema());
    String type = SchemaValues.type(schema);
    String value;
    if (choice == 0 && param.required()) {
      request.mutation = "query:missing-required:" + param.name();
      return;
    } else if (choice == 1) {
      String valid = String.valueOf(values.valid(schema, param.name()));
      request.query.add(new String[] {param.name(), valid});
      request.query.add(new String[] {param.name(), valid});
      request.mutation = "query:repeated:" + param.name();
      return;
    } else if (choice == 2) {
      String raw = pick(RAW_SEGMENTS);
      request.rawQuery.add(param.name() + "=" + raw);
      request.mutation = "query-raw:" + param.name() + "=" + raw;
      return;
    } else if (choice < 6 && (type.equals("number") || type.equals("integer"))) {
      value = String.valueOf(pick(values.boundaryNumbers(schema)));
    } else if (choice < 6) {
      value = pick(values.boundaryStrings(schema));
    } else if (choice < 8) {
      value = pick(SchemaValues.NASTY_STRINGS);
    } else {
      value = pick(List.of("", "abc", "1.5", "-0", "1e309", "NaN", "true", "[]", "{}", "2026-02-30", "25:00",
          UUID.randomUUID().toString(), "9".repeat(50)));
    }
    request.query.add(new String[] {param.name(), value});
    request.mutation = "query:" + param.name() + "=" + shorten(value);
  }

  private void unknownQuery(Request request) {
    String name = pick(List.of("limit", "admin", "userId", "debug", "fields", "__proto__", "q"));
    request.query.add(new String[] {name, pick(List.of("1", "true", "' or 1=1", "x".repeat(3_000)))});
    request.mutation = "query:unknown:" + name;
  }

  private void mutateHeader(Request request) {
    Spec.Param param = pick(request.op.params("header"));
    String value = pick(List.of("", "short", "with space and \u00e9", "x".repeat(5_000), "a\tb", "key;drop",
        "\ud83d\udc75\ud83d\udc75\ud83d\udc75\ud83d\udc75\ud83d\udc75"));
    request.headers.put(param.name(), value);
    request.mutation = "header:" + param.name() + "=" + shorten(value);
  }

  private <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  private static String shorten(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 24 ? printable.substring(0, 24) + "...(" + s.length() + ")" : printable;
  }
}
