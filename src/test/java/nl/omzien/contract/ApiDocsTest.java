package nl.omzien.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.impl.Utils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** Every operation's summary, and every tag, as the contract declares them. */
  private static List<String> declared(String what) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject raw = Utils.readYamlOrJson(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
      if (what.equals("version")) {
        return List.of(raw.getJsonObject("info").getString("version"));
      }
      if (what.equals("tags")) {
        return raw.getJsonArray("tags").stream().map(t -> ((JsonObject) t).getString("name")).toList();
      }
      List<String> summaries = new ArrayList<>();
      for (String path : raw.getJsonObject("paths").fieldNames()) {
        JsonObject item = raw.getJsonObject("paths").getJsonObject(path);
        for (String method : List.of("get", "put", "post", "delete", "patch")) {
          if (item.containsKey(method)) {
            summaries.add(item.getJsonObject(method).getString("summary"));
          }
        }
      }
      return summaries;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String html(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Test
  @DisplayName("rendered in headless Chromium, /docs shows the API's title, version, every group and every operation")
  void rendersInABrowser() throws Exception {
    String url = "http://localhost:" + app.app().httpPort() + "/docs";
    String dom = HeadlessChromium.dumpDom(url, 15_000);
    assertFalse(dom.contains("Something went wrong"), "Redoc reports no error");
    assertTrue(dom.contains("Omzien API"), "the API title");
    String version = declared("version").get(0);
    assertTrue(dom.contains(version), "the contract version " + version);
    List<String> summaries = declared("summaries");
    assertTrue(summaries.size() > 50, "the whole contract: " + summaries.size());
    for (String summary : summaries) {
      assertTrue(dom.contains(html(summary)), "operation shown: " + summary);
    }
    for (String tag : declared("tags")) {
      assertTrue(dom.contains(">" + tag + "<"), "group shown: " + tag);
    }
    Path png = HeadlessChromium.screenshot(url, Path.of("target/screenshots/api-docs.png"), 1280, 2000, 15_000);
    assertTrue(Files.size(png) > 20_000, "a screenshot with content, not a blank page: " + png);
  }
}
