package nl.omzien.reports;

import static nl.omzien.reports.FiguresFixture.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.omzien.auth.Role;
import nl.omzien.testing.HeadlessChromium;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The figures page in a real browser (Debian's headless Chromium): it logs in with the token from the URL
 * fragment, draws the ten wijken, and shows the same numbers as the JSON API.
 */
@DisplayName("The figures page in a browser")
class FiguresPageTest {
  private static final int BUDGET_MS = 20_000;
  private static final Pattern MAP_WIJK = Pattern.compile("<path[^>]*data-wijk=\"(WK\\d{6})\"([^>]*)>");
  private static final Pattern ROW = Pattern.compile("<tr data-wijk=\"([^\"]+)\"[^>]*>(.*?)</tr>", Pattern.DOTALL);
  private static final Pattern CELL = Pattern.compile(
      "<td data-measure=\"([^\"]+)\" data-value=\"([^\"]*)\">([^<]*)</td>");
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("figurespage");
    new FiguresFixture(app.app().database().pool()).load();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String url(String token) {
    return "http://localhost:" + app.app().httpPort() + "/figures" + (token == null ? "" : "#token=" + token);
  }

  private static JsonObject api(String path, String token) throws Exception {
    HttpResponse<Buffer> response = app.client().get(path).bearerTokenAuthentication(token).send()
        .await(20, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response::bodyAsString);
    return response.bodyAsJsonObject();
  }

  /** What the page's table shows: wijk code (or "total") to measure to {raw value, displayed text}. */
  private static Map<String, Map<String, String[]>> table(String dom) {
    Map<String, Map<String, String[]>> rows = new LinkedHashMap<>();
    Matcher row = ROW.matcher(dom);
    while (row.find()) {
      Map<String, String[]> cells = new LinkedHashMap<>();
      Matcher cell = CELL.matcher(row.group(2));
      while (cell.find()) {
        cells.put(cell.group(1), new String[] {unescape(cell.group(2)), unescape(cell.group(3))});
      }
      rows.put(row.group(1), cells);
    }
    return rows;
  }

  private static String unescape(String html) {
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  /** The page's formatting: shares as percentages with one decimal, minutes under 2 h as minutes, else hours. */
  private static String shown(Object value, String measure) {
    if (!(value instanceof Number number)) {
      return String.valueOf(value);
    }
    double v = number.doubleValue();
    if (measure.endsWith("share") || measure.endsWith("Share")) {
      return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
    if (measure.contains("Minutes")) {
      return v < 120 ? String.format(Locale.ROOT, "%.0f min", v) : String.format(Locale.ROOT, "%.1f u", v / 60);
    }
    return js(v);
  }

  /** How JavaScript's String(number) writes the numbers that occur here (4.0 as "4"). */
  private static String js(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** The raw value the page keeps in data-value, as JavaScript writes it. */
  private static String raw(Object value) {
    return value instanceof Number number ? js(number.doubleValue()) : String.valueOf(value);
  }

  @Test
  @DisplayName("an admin sees ten wijken on the map and the table's numbers equal the JSON API's")
  void adminSeesTheCity() throws Exception {
    String token = app.token(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of());
    String dom = HeadlessChromium.dumpDom(url(token), BUDGET_MS);
    assertTrue(dom.contains("data-state=\"ready\""), () -> "page did not finish loading:\n" + dom);

    List<String> mapped = new ArrayList<>();
    Matcher path = MAP_WIJK.matcher(dom);
    while (path.find()) {
      mapped.add(path.group(1));
      assertFalse(path.group(2).contains("class=\"out\""), "an admin may read every wijk: " + path.group(1));
      assertTrue(path.group(0).contains("fill=\""), "every wijk is coloured: " + path.group(1));
    }
    assertEquals(10, mapped.size(), "ten wijken on the map");
    assertEquals(10, Set.copyOf(mapped).size());

    JsonObject figures = api("/v1/figures", token);
    Map<String, Map<String, String[]>> table = table(dom);
    assertEquals(11, table.size(), "ten wijken and the total");
    int compared = 0;
    for (Object item : figures.getJsonArray("wijken")) {
      JsonObject wijk = (JsonObject) item;
      Map<String, String[]> row = table.get(wijk.getJsonObject("wijk").getString("code"));
      for (Map.Entry<String, String[]> cell : row.entrySet()) {
        Object value = FiguresTest.at(wijk, cell.getKey());
        assertEquals(raw(value), cell.getValue()[0], cell.getKey());
        assertEquals(shown(value, cell.getKey()), cell.getValue()[1], cell.getKey());
        compared++;
      }
    }
    assertTrue(compared >= 100, "every shown figure was compared: " + compared);
    // The default period is the last year: March (16) plus the February (7) and April (6) requests.
    assertEquals("29", table.get("total").get("requests")[0]);
    assertEquals("17", table.get(A).get("requests")[1]);
    assertEquals(raw(FiguresTest.at(figures.getJsonObject("total"), "matched.share")),
        table.get("total").get("matched.share")[0]);

    Path png = Path.of("target", "screenshots", "figures-admin.png");
    HeadlessChromium.screenshot(url(token), png, 1400, 1250, BUDGET_MS);
    assertTrue(Files.size(png) > 20_000, "a screenshot with content");
  }

  @Test
  @DisplayName("an ambassador sees the other wijken greyed out, their own figures, chart and waiting queue")
  void ambassadorSeesTheirWijk() throws Exception {
    String token = app.token(UUID.randomUUID(), Set.of(Role.AMBASSADOR), Set.of(A));
    String dom = HeadlessChromium.dumpDom(url(token), BUDGET_MS);
    assertTrue(dom.contains("data-state=\"ready\""), () -> "page did not finish loading:\n" + dom);

    Matcher path = MAP_WIJK.matcher(dom);
    int out = 0;
    int shownWijken = 0;
    while (path.find()) {
      shownWijken++;
      if (path.group(2).contains("class=\"out\"")) {
        out++;
      } else {
        assertEquals(A, path.group(1));
      }
    }
    assertEquals(10, shownWijken);
    assertEquals(9, out, "nine wijken are outside this ambassador's scope");

    JsonObject figures = api("/v1/figures", token);
    Map<String, String[]> row = table(dom).get(A);
    JsonObject overvecht = figures.getJsonArray("wijken").getJsonObject(0);
    for (Map.Entry<String, String[]> cell : row.entrySet()) {
      assertEquals(raw(FiguresTest.at(overvecht, cell.getKey())), cell.getValue()[0], cell.getKey());
    }
    assertFalse(table(dom).containsKey("WK034407"), "no row for a wijk the ambassador may not read");

    JsonObject waiting = api("/v1/figures/waiting?wijk=" + A, token);
    for (Object item : waiting.getJsonArray("items")) {
      assertTrue(dom.contains("data-request-id=\"" + ((JsonObject) item).getString("requestId") + "\""));
    }
    assertEquals(6, waiting.getJsonArray("items").size());
    assertTrue(dom.contains("data-start=\"2026-03-01\" data-requests=\"10\""), "March has 10 requests in the chart");

    HeadlessChromium.screenshot(url(token), Path.of("target", "screenshots", "figures-ambassador.png"), 1400, 1250,
        BUDGET_MS);
  }

  @Test
  @DisplayName("without a token the page asks for one and shows no figures; the page itself is public and locked down")
  void withoutToken() throws Exception {
    String dom = HeadlessChromium.dumpDom(url(null), 3_000);
    assertTrue(dom.contains("data-state=\"login\""), dom);
    assertFalse(table(dom).containsKey(A));

    HttpResponse<Buffer> page = app.client().get("/figures").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, page.statusCode());
    app.assertMatchesContract("getFiguresPage", page);
    String csp = page.getHeader("Content-Security-Policy");
    Matcher nonce = Pattern.compile("script-src 'nonce-([^']+)'").matcher(csp);
    assertTrue(nonce.find(), csp);
    assertTrue(page.bodyAsString().contains("<script nonce=\"" + nonce.group(1) + "\">"));
    assertTrue(csp.contains("connect-src 'self'") && csp.contains("default-src 'none'"), csp);
    assertFalse(page.bodyAsString().contains("{{nonce}}"));
  }
}
