package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import java.util.ArrayList;
import java.util.Map;

/**
 * Loads {@code openapi/omzien.yaml} for the router.
 *
 * <p>vertx-openapi 5.0 refuses any response media type outside a fixed list, and RFC 9457's
 * {@code application/problem+json} is not on it. Responses play no part in request validation, so the router
 * gets a view of the contract where problem+json response content is declared as {@code application/json} (same
 * schema); the published file stays exact. Tests validate problem bodies against that same schema. For the same
 * reason {@code text/csv} and {@code text/html} responses (figures export, figures page) are declared as
 * {@code text/plain} in the router's view: both are strings.
 */
public final class Contract {
  static final String PROBLEM_JSON = "application/problem+json";
  /** Response media types the router does not know, and the known one with the same schema kind it sees instead. */
  private static final Map<String, String> STAND_INS = Map.of(
      PROBLEM_JSON, "application/json",
      "text/csv", "text/plain",
      "text/html", "text/plain");

  private Contract() {
  }

  public static Future<OpenAPIContract> load(Vertx vertx, String path) {
    return Utils.readYamlOrJson(vertx, path)
        .map(Contract::forRouter)
        .compose(json -> OpenAPIContract.from(vertx, json));
  }

  /** A copy of the raw contract with problem+json content entries renamed to application/json. */
  static JsonObject forRouter(JsonObject raw) {
    JsonObject copy = raw.copy();
    rewrite(copy);
    return copy;
  }

  private static void rewrite(Object node) {
    if (node instanceof JsonObject object) {
      for (String key : new ArrayList<>(object.fieldNames())) {
        Object value = object.getValue(key);
        if ("content".equals(key) && value instanceof JsonObject content) {
          STAND_INS.forEach((unknown, known) -> {
            if (content.containsKey(unknown)) {
              Object media = content.remove(unknown);
              if (!content.containsKey(known)) {
                content.put(known, media);
              }
            }
          });
        }
        rewrite(value);
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(Contract::rewrite);
    }
  }
}
