package nl.omzien.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Checks that a response is an RFC 9457 problem of the expected kind, without internals. */
public final class ProblemAssert {
  private ProblemAssert() {
  }

  /** Status, content type, stable type URI, title/detail present, no stack trace. */
  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String typeSlug) {
    assertEquals(status, response.statusCode(), response::bodyAsString);
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    JsonObject problem = response.bodyAsJsonObject();
    assertEquals("https://omzien.nl/problems/" + typeSlug, problem.getString("type"));
    assertEquals(status, problem.getInteger("status"));
    assertNotNull(problem.getString("title"));
    assertNotNull(problem.getString("detail"));
    assertFalse(response.bodyAsString().contains("Exception"), "no exception names in a problem");
    assertFalse(response.bodyAsString().contains("\tat "), "no stack traces in a problem");
    return problem;
  }

  /** As {@link #assertProblem(HttpResponse, int, String)}, and one of {@code errors} names {@code field}. */
  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String typeSlug, String field) {
    JsonObject problem = assertProblem(response, status, typeSlug);
    if (field != null) {
      assertTrue(problem.getJsonArray("errors").stream().map(JsonObject.class::cast)
          .anyMatch(e -> e.getString("field").equals(field)), problem::encode);
    }
    return problem;
  }
}
