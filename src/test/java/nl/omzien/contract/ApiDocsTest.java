package nl.omzien.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import nl.omzien.testing.HeadlessChromium;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The published contract and its documentation")
class ApiDocsTest {
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("docs");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return app.client().get(path).send().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("GET /openapi.yaml serves exactly the contract the server runs with, without a token")
  void servesTheContract() throws Exception {
    HttpResponse<Buffer> response = get("/openapi.yaml");
    assertEquals(200, response.statusCode());
    assertEquals("application/yaml; charset=utf-8", response.getHeader("Content-Type"));
    assertArrayEquals(Files.readAllBytes(Path.of(Omzien.CONTRACT)), response.body().getBytes());
    app.assertMatchesContract("getOpenApiDocument", response);
  }

  @Test
  @DisplayName("GET /docs is a page whose Content-Security-Policy allows scripts from this server only")
  void docsPage() throws Exception {
    HttpResponse<Buffer> page = get("/docs");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
    String csp = page.getHeader("Content-Security-Policy");
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertFalse(csp.contains("http"), "no other origin is allowed: " + csp);
    assertTrue(page.bodyAsString().contains("<script src=\"/docs/redoc.standalone.js\">"));
    app.assertMatchesContract("getApiDocs", page);

    HttpResponse<Buffer> script = get("/docs/redoc.standalone.js");
    assertEquals(200, script.statusCode());
    assertEquals("text/javascript; charset=utf-8", script.getHeader("Content-Type"));
    assertArrayEquals(Files.readAllBytes(
        Path.of("src/test/contract/node_modules/redoc/bundles/redoc.standalone.js")), script.body().getBytes(),
        "the vendored bundle of the pinned redoc package");
    app.assertMatchesContract("getApiDocsScript", script);
  }

  @Test
  @DisplayName("rendered in headless Chromium, /docs shows the API's title, its groups and its operations")
  void rendersInABrowser() throws Exception {
    String url = "http://localhost:" + app.app().httpPort() + "/docs";
    String dom = HeadlessChromium.dumpDom(url, 15_000);
    assertFalse(dom.contains("Something went wrong"), "Redoc reports no error");
    assertTrue(dom.contains("Omzien API"), "the API title");
    assertTrue(dom.contains("0.2.0"), "the contract version");
    for (String summary : List.of("Ask for help", "My requests, newest first", "Sign me up for one session",
        "Register this app installation for push notifications", "This contract (OpenAPI 3.1, YAML)")) {
      assertTrue(dom.contains(summary), "operation shown: " + summary);
    }
    for (String tag : List.of("requests", "activities", "devices", "docs")) {
      assertTrue(dom.contains(">" + tag + "<"), "group shown: " + tag);
    }
    Path png = HeadlessChromium.screenshot(url, Path.of("target/screenshots/api-docs.png"), 1280, 2000, 15_000);
    assertTrue(Files.size(png) > 20_000, "a screenshot with content, not a blank page: " + png);
  }
}
