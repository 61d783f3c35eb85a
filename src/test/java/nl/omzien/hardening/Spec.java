package nl.omzien.hardening;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.impl.Utils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import nl.omzien.auth.Role;

/**
 * The published contract ({@code openapi/omzien.yaml}) as plain JSON, for tests that derive their cases from
 * it: operations with their parameters, request body schema, example and roles, and {@code $ref} resolution.
 * Nothing here knows a particular operation, so operations added to the contract are covered automatically.
 */
final class Spec {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  /** One parameter of an operation (path-level and operation-level merged, references resolved). */
  record Param(String name, String in, boolean required, JsonObject schema) {
  }

  /** One operation of the contract. */
  record Op(String operationId, String method, String path, List<String> tags, List<Role> roles,
            boolean authenticated, List<Param> params, Optional<JsonObject> bodySchema, boolean bodyRequired,
            Optional<Object> bodyExample, Set<String> declaredStatuses, JsonObject raw) {

    List<Param> params(String in) {
      return params.stream().filter(p -> p.in().equals(in)).toList();
    }

    boolean hasBody() {
      return bodySchema.isPresent();
    }

    /** A role allowed to call this operation (resident when any signed-in user may). */
    Role someRole() {
      return roles.isEmpty() ? Role.RESIDENT : roles.get(0);
    }

    @Override
    public String toString() {
      return operationId + " (" + method.toUpperCase() + " " + path + ")";
    }
  }

  private final JsonObject raw;
  private final List<Op> operations;

  private Spec(JsonObject raw) {
    this.raw = raw;
    this.operations = readOperations();
  }

  static Spec load(Vertx vertx) throws Exception {
    return new Spec(Utils.readYamlOrJson(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS));
  }

  List<Op> operations() {
    return operations;
  }

  Op operation(String operationId) {
    return operations.stream().filter(o -> o.operationId().equals(operationId)).findFirst().orElseThrow();
  }

  JsonObject raw() {
    return raw;
  }

  /** Follows {@code $ref}s (local ones, as this contract uses) until a schema without one. */
  JsonObject resolve(JsonObject node) {
    JsonObject current = node;
    for (int hops = 0; current != null && current.containsKey("$ref"); hops++) {
      if (hops > 20) {
        throw new IllegalStateException("reference loop at " + node);
      }
      current = pointer(current.getString("$ref"));
    }
    return current;
  }

  JsonObject pointer(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("only local references are supported: " + ref);
    }
    Object node = raw;
    for (String part : ref.substring(2).split("/")) {
      String key = part.replace("~1", "/").replace("~0", "~");
      node = node instanceof JsonObject object ? object.getValue(key) : null;
    }
    if (!(node instanceof JsonObject object)) {
      throw new IllegalStateException("unresolvable reference " + ref);
    }
    return object;
  }

  private List<Op> readOperations() {
    List<Op> ops = new ArrayList<>();
    JsonObject paths = raw.getJsonObject("paths");
    boolean globalSecurity = !raw.getJsonArray("security", new JsonArray()).isEmpty();
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      List<Param> pathLevel = params(item.getJsonArray("parameters", new JsonArray()));
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) {
          continue;
        }
        JsonObject op = item.getJsonObject(method);
        Map<String, Param> merged = new LinkedHashMap<>();
        pathLevel.forEach(p -> merged.put(p.in() + ":" + p.name(), p));
        params(op.getJsonArray("parameters", new JsonArray())).forEach(p -> merged.put(p.in() + ":" + p.name(), p));
        List<Role> roles = new ArrayList<>();
        for (Object role : op.getJsonArray("x-roles", new JsonArray())) {
          roles.add(Role.fromWire(role.toString()).orElseThrow());
        }
        JsonArray security = op.getJsonArray("security");
        boolean authenticated = security == null ? globalSecurity
            : security.stream().anyMatch(s -> s instanceof JsonObject o && !o.isEmpty());
        Optional<JsonObject> bodySchema = Optional.empty();
        Optional<Object> example = Optional.empty();
        boolean bodyRequired = false;
        if (op.containsKey("requestBody")) {
          JsonObject body = resolve(op.getJsonObject("requestBody"));
          bodyRequired = body.getBoolean("required", false);
          JsonObject media = body.getJsonObject("content").getJsonObject("application/json");
          if (media != null) {
            bodySchema = Optional.of(media.getJsonObject("schema"));
            example = Optional.ofNullable(media.getValue("example"));
            if (example.isEmpty() && media.getJsonObject("examples") != null) {
              JsonObject first = resolve(media.getJsonObject("examples").getJsonObject(
                  media.getJsonObject("examples").fieldNames().iterator().next()));
              example = Optional.ofNullable(first.getValue("value"));
            }
          }
        }
        ops.add(new Op(op.getString("operationId"), method, path,
            op.getJsonArray("tags", new JsonArray()).stream().map(Object::toString).toList(), roles, authenticated,
            List.copyOf(merged.values()), bodySchema, bodyRequired, example,
            op.getJsonObject("responses", new JsonObject()).fieldNames(), op));
      }
    }
    return List.copyOf(ops);
  }

  private List<Param> params(JsonArray array) {
    List<Param> result = new ArrayList<>();
    for (Object entry : array) {
      JsonObject param = resolve((JsonObject) entry);
      result.add(new Param(param.getString("name"), param.getString("in"), param.getBoolean("required", false),
          param.getJsonObject("schema", new JsonObject())));
    }
    return result;
  }
}
