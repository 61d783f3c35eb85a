package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import java.util.ArrayList;

/**
 * Loads {@code openapi/omzien.yaml} for the router.
 *
 * <p>vertx-openapi 5.0 refuses any response media type outside a fixed list, and RFC 9457's
 * {@code application/problem+json} is not on it, nor are the documents served by {@link DocsApi}
 * ({@code application/yaml}, {@code text/html}, {@code text/javascript}) and the figures export
 * ({@code text/csv}). Responses play no part in request validation, so the router gets a view of the contract
 * where problem+json response content is declared as {@code application/json} and other unsupported types as
 * {@code text/plain} (same schema); the published file stays exact. It also parses server URLs with {@code java.net.URL}, which refuses the contract's relative
 * server {@code /}; the view makes relative server URLs absolute on a placeholder host (only the path matters
 * to the router). Tests validate responses against the same view, see {@link #routerMediaType(String)}.
 */
public final class Contract {
  static final String PROBLEM_JSON = "application/problem+json";
  private static final String PLACEHOLDER_ORIGIN = "http://localhost";

  private Contract() {
  }

  public static Future<OpenAPIContract> load(Vertx vertx, String path) {
    return Utils.readYamlOrJson(vertx, path)
        .map(Contract::forRouter)
        .compose(json -> OpenAPIContract.from(vertx, json));
  }

  /** The media type under which the router's view declares a response of this (declared or sent) type. */
  public static String routerMediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    String bare = contentType.split(";", 2)[0].trim().toLowerCase();
    if (bare.equals(PROBLEM_JSON)) {
      return MediaType.APPLICATION_JSON;
    }
    return MediaType.isMediaTypeSupported(bare) ? contentType : MediaType.TEXT_PLAIN;
  }

  /** A copy of the raw contract with response media types and server URLs the router can read. */
  static JsonObject forRouter(JsonObject raw) {
    JsonObject copy = raw.copy();
    rewrite(copy);
    JsonArray servers = copy.getJsonArray("servers", new JsonArray());
    for (int i = 0; i < servers.size(); i++) {
      JsonObject server = servers.getJsonObject(i);
      String url = server.getString("url", "");
      if (url.startsWith("/")) {
        server.put("url", PLACEHOLDER_ORIGIN + (url.equals("/") ? "" : url));
      }
    }
    return copy;
  }

  private static void rewrite(Object node) {
    if (node instanceof JsonObject object) {
      for (String key : new ArrayList<>(object.fieldNames())) {
        Object value = object.getValue(key);
        if ("content".equals(key) && value instanceof JsonObject content) {
          for (String type : new ArrayList<>(content.fieldNames())) {
            String mapped = routerMediaType(type);
            if (!mapped.equals(type)) {
              Object media = content.remove(type);
              if (!content.containsKey(mapped)) {
                content.put(mapped, media);
              }
            }
          }
        }
        rewrite(value);
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(Contract::rewrite);
    }
  }
}
