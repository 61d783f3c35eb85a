package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import nl.omzien.http.Contract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The activities part of the contract")
class ActivitiesContractTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
  private static Vertx vertx;
  private static JsonObject raw;
  private static OpenAPIContract contract;

  private record Op(String path, String method, JsonObject operation) {
    String id() {
      return operation.getString("operationId");
    }
  }

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    raw = Utils.readYamlOrJson(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
    contract = Contract.load(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    JsonObject paths = raw.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)
            && item.getJsonObject(method).getJsonArray("tags", new JsonArray()).contains("activities")) {
          ops.add(new Op(path, method, item.getJsonObject(method)));
        }
      }
    }
    return ops;
  }

  /** Follows a local {@code $ref} ("#/components/...") in the raw contract. */
  private static JsonObject resolve(JsonObject node) {
    JsonObject current = node;
    while (current.containsKey("$ref")) {
      JsonObject target = raw;
      for (String part : current.getString("$ref").substring(2).split("/")) {
        target = target.getJsonObject(part);
      }
      current = target;
    }
    return current;
  }

  private static List<Object> examples(JsonObject mediaType) {
    List<Object> out = new ArrayList<>();
    if (mediaType.containsKey("example")) {
      out.add(mediaType.getValue("example"));
    }
    JsonObject examples = mediaType.getJsonObject("examples", new JsonObject());
    for (String name : examples.fieldNames()) {
      out.add(resolve(examples.getJsonObject(name)).getValue("value"));
    }
    return out;
  }

  @Test
  @DisplayName("has fifteen operations with unique camelCase ids, a summary and problem+json error responses by reference")
  void shape() {
    List<Op> ops = operations();
    assertEquals(15, ops.size());
    Set<String> ids = new HashSet<>();
    for (Op op : ops) {
      assertTrue(op.id().matches("[a-z][a-zA-Z0-9]+"), op.id());
      assertTrue(ids.add(op.id()), "unique " + op.id());
      assertFalse(op.operation().getString("summary", "").isBlank(), op.id() + " has a summary");
      JsonObject responses = op.operation().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        if (status.startsWith("4") || status.startsWith("5")) {
          String ref = responses.getJsonObject(status).getString("$ref");
          assertNotNull(ref, op.id() + " " + status + " refers to components/responses");
          JsonObject content = resolve(responses.getJsonObject(status)).getJsonObject("content");
          assertTrue(content.containsKey("application/problem+json"), op.id() + " " + status);
        }
      }
      assertTrue(responses.containsKey("401"), op.id() + " declares 401");
    }
  }

  @Test
  @DisplayName("request bodies are named schemas that refuse unknown fields, and their examples match them")
  void requestBodies() {
    for (Op op : operations()) {
      JsonObject body = op.operation().getJsonObject("requestBody");
      if (body == null) {
        continue;
      }
      JsonObject media = body.getJsonObject("content").getJsonObject("application/json");
      String ref = media.getJsonObject("schema").getString("$ref");
      assertNotNull(ref, op.id() + " body is a named component schema");
      assertEquals(Boolean.FALSE, resolve(media.getJsonObject("schema")).getValue("additionalProperties"), op.id());
      List<Object> examples = examples(media);
      assertFalse(examples.isEmpty(), op.id() + " has a request example");
      var schema = contract.operation(op.id()).getRequestBody().getContent().get("application/json").getSchema();
      for (Object example : examples) {
        var result = contract.getSchemaRepository().validator(schema).validate(example);
        assertTrue(result.getValid(), () -> op.id() + " request example: " + result.getErrors());
      }
    }
  }

  @Test
  @DisplayName("every success response with a body has an example that the response validator accepts")
  void responseExamples() throws Exception {
    ResponseValidator validator = ResponseValidator.create(vertx, contract);
    for (Op op : operations()) {
      JsonObject responses = op.operation().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        JsonObject response = resolve(responses.getJsonObject(status));
        if (!status.startsWith("2") || !response.containsKey("content")) {
          continue;
        }
        List<Object> examples = examples(response.getJsonObject("content").getJsonObject("application/json"));
        assertFalse(examples.isEmpty(), op.id() + " " + status + " has an example");
        for (Object example : examples) {
          var validatable = ValidatableResponse.create(Integer.parseInt(status), Map.of("Content-Type",
              "application/json"), ((JsonObject) example).toBuffer(), "application/json");
          validator.validate(validatable, op.id()).await(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
