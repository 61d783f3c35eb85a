package nl.omzien.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import nl.omzien.push.PushOptions;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Spec-driven fuzzing: every operation of {@code openapi/omzien.yaml}, a few hundred hostile requests each
 * (see {@link Fuzzer}), sent one at a time with a token of a role the operation allows, against a small real
 * population ({@link World}). For every response: no 5xx; every error is problem+json with the status in the
 * body and no internals; every success matches the contract (additionalProperties false, so no extra data);
 * and after every rejected request no table changed (no partial writes).
 *
 * <p>Reproducible: {@code -Dfuzz.seed=N} (default fixed), {@code -Dfuzz.cases=N} per operation (default 100),
 * {@code -Dfuzz.only=operationId}. A failure message names the seed, the case number and the request.
 * The figures are printed and written to {@code target/fuzz-report.txt}.
 */
@DisplayName("Spec-driven fuzzing of every operation")
@ExtendWith(BlockedThreadWatch.class)
class SpecFuzzTest {
  private static final long DEFAULT_SEED = 20_261_123L;
  private static final Pattern PROBLEM_TYPE = Pattern.compile("^https://omzien\\.nl/problems/[a-z-]+$");
  /**
   * Background workers (offer rounds, push delivery) paused, so that every table change during a check is the
   * request's own; they have their own tests.
   */
  private static final Map<String, String> QUIET_WORKERS = Map.of("OMZIEN_MATCH_TICK_MS", "0");
  private static TestApp app;

  private static PushOptions quietPush() {
    PushOptions defaults = PushOptions.fromEnvironment(Map.of());
    // Nothing writes the outbox behind a request's back: no poll, and no handoff recording a previous request's
    // pushes while the next one is checked for partial writes.
    return new PushOptions(defaults.sender(), defaults.clock(),
        defaults.config().withPollInterval(Duration.ZERO).withHandoff(false));
  }
  private static Spec spec;
  private static World world;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("fuzz", QUIET_WORKERS, quietPush());
    spec = Spec.load(app.clientVertx());
    World.withoutDemoVolunteers(app);
    world = World.build(app, "fuzz");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** What the run saw. */
  private static final class Tally {
    int sent;
    int serverErrors;
    int notProblemJson;
    int partialWrites;
    int contractViolations;
    int closedOnOversize;
    int transportFailures;
    final Map<Integer, Integer> statuses = new TreeMap<>();
    final Map<String, Integer> byMutation = new TreeMap<>();
    final Map<String, Integer> byOperation = new TreeMap<>();
    final List<String> failures = new ArrayList<>();

    void fail(long seed, int number, Fuzzer.Case c, String what) {
      if (failures.size() < 25) {
        failures.add("#" + number + " (seed " + seed + ") " + what + "\n    " + c.describe());
      }
    }
  }

  @Test
  @DisplayName("thousands of malformed and boundary requests: no 5xx, only problem+json errors, no partial writes")
  void fuzzEveryOperation() throws Exception {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int perOperation = Integer.getInteger("fuzz.cases", 100);
    String only = System.getProperty("fuzz.only", "");
    TableFingerprint tables = TableFingerprint.of(app.app().database().pool());
    Map<String, String> before = tables.take();
    Tally tally = new Tally();
    long started = System.nanoTime();
    int number = 0;
    for (Spec.Op op : destructiveLast(spec.operations())) {
      if (!only.isEmpty() && !only.equals(op.operationId())) {
        continue;
      }
      // Each operation has its own stream, so -Dfuzz.only replays exactly that operation's cases.
      Fuzzer fuzzer = new Fuzzer(spec, new Random(seed * 31 + op.operationId().hashCode()), world.ids);
      for (int i = 0; i < perOperation; i++) {
        Fuzzer.Case c = fuzzer.next(op);
        number++;
        tally.sent++;
        tally.byOperation.merge(op.operationId(), 1, Integer::sum);
        tally.byMutation.merge(c.mutation().replaceAll("[@:=].*", ""), 1, Integer::sum);
        HttpResponse<Buffer> response;
        try {
          response = send(c);
        } catch (Exception e) {
          if (c.oversize()) {
            tally.closedOnOversize++; // the server answered 413 and closed while the client was still sending
          } else {
            tally.transportFailures++;
            tally.fail(seed, number, c, "no response: " + e);
          }
          before = tables.take();
          continue;
        }
        int status = response.statusCode();
        tally.statuses.merge(status, 1, Integer::sum);
        if (status >= 500) {
          tally.serverErrors++;
          tally.fail(seed, number, c, "status " + status + ": " + response.bodyAsString());
        }
        if (status >= 400) {
          String problem = problemDefect(response);
          if (problem != null) {
            tally.notProblemJson++;
            tally.fail(seed, number, c, "status " + status + " " + problem);
          }
          Map<String, String> after = tables.take();
          Map<String, String> changed = TableFingerprint.changed(before, after);
          if (!changed.isEmpty()) {
            tally.partialWrites++;
            tally.fail(seed, number, c, "status " + status + " but tables changed: " + changed);
          }
          before = after;
        } else {
          try {
            assertMatchesContract(op, response);
          } catch (Exception | AssertionError e) {
            tally.contractViolations++;
            tally.fail(seed, number, c, "status " + status + " does not match the contract: " + e.getMessage());
          }
          harvestIds(response);
          before = tables.take();
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String report = report(seed, perOperation, tally, seconds);
    System.out.println(report);
    Files.writeString(Path.of("target", "fuzz-report.txt"), report);

    assertTrue(tally.sent >= 1_000 || !only.isEmpty(), "thousands of requests per run");
    assertTrue(tally.failures.isEmpty(), report);
    assertEquals(0, tally.serverErrors);
    assertEquals(0, tally.partialWrites);
  }

  @Test
  @DisplayName("a NUL character in any free-text field of any body is refused (4xx), never a 500, and writes nothing")
  void nulInEveryFreeTextField() throws Exception {
    TableFingerprint tables = TableFingerprint.of(app.app().database().pool());
    int checked = 0;
    for (Spec.Op op : destructiveLast(spec.operations())) {
      if (!op.hasBody() || op.bodyExample().isEmpty()
          || !(SchemaValues.freshen(op.bodyExample().get()) instanceof JsonObject example)) {
        continue;
      }
      JsonObject properties = spec.resolve(op.bodySchema().get()).getJsonObject("properties", new JsonObject());
      for (String name : properties.fieldNames()) {
        JsonObject schema = spec.resolve(properties.getJsonObject(name));
        if (!"string".equals(SchemaValues.type(schema)) || schema.containsKey("enum") || schema.containsKey("format")
            || !(example.getValue(name) instanceof String)) {
          continue;
        }
        JsonObject body = example.copy().put(name, "Ria\u0000de Vries");
        String uri = op.path();
        for (Spec.Param param : op.params("path")) {
          List<String> ids = world.ids.getOrDefault(param.name(), List.of(UUID.randomUUID().toString()));
          uri = uri.replace("{" + param.name() + "}", ids.get(0));
        }
        Map<String, String> before = tables.take();
        var response = app.client().request(HttpMethod.valueOf(op.method().toUpperCase()), uri)
            .bearerTokenAuthentication(world.token(op.someRole()))
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(JsonText.encode(body, true))).await(30, TimeUnit.SECONDS);
        String what = op.operationId() + " /" + name + ": " + response.bodyAsString();
        assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what);
        assertEquals(null, problemDefect(response), what);
        assertEquals(before, tables.take(), what);
        checked++;
      }
    }
    assertTrue(checked >= 10, "free-text fields checked: " + checked);
  }

  /**
   * Deleting and cancelling last, so the objects the other operations aim at still exist while they run; erasing
   * one's own account ({@code DELETE /v1/me...}) very last, since the world's people cannot act after it.
   */
  private static List<Spec.Op> destructiveLast(List<Spec.Op> operations) {
    return operations.stream()
        .sorted(Comparator.comparing((Spec.Op op) -> op.method().equals("delete") && op.path().startsWith("/v1/me")
                && op.params("path").isEmpty() ? 2
            : op.method().equals("delete") || op.path().endsWith("/cancel") ? 1 : 0))
        .toList();
  }

  private static HttpResponse<Buffer> send(Fuzzer.Case c) throws Exception {
    var request = app.client().request(HttpMethod.valueOf(c.op().method().toUpperCase()), c.uri())
        .timeout(30_000)
        .bearerTokenAuthentication(world.token(c.role()));
    c.headers().forEach(request::putHeader);
    return (c.body() == null ? request.send() : request.sendBuffer(c.body())).await(60, TimeUnit.SECONDS);
  }

  /**
   * JSON successes are validated against the contract; other media types (Prometheus text) only by their
   * declared content type, which is all the validator can check for them.
   */
  private static void assertMatchesContract(Spec.Op op, HttpResponse<Buffer> response) throws Exception {
    String contentType = response.getHeader("Content-Type");
    if (contentType == null || contentType.startsWith("application/json")) {
      app.assertMatchesContract(op.operationId(), response);
      return;
    }
    JsonObject declared = op.raw().getJsonObject("responses").getJsonObject(Integer.toString(response.statusCode()));
    assertTrue(declared != null && spec.resolve(declared).getJsonObject("content", new JsonObject()).fieldNames()
        .stream().anyMatch(contentType::startsWith), "undeclared " + response.statusCode() + " " + contentType);
  }

  /** Null when the response is a proper problem+json of its status, else what is wrong with it. */
  private static String problemDefect(HttpResponse<Buffer> response) {
    String contentType = response.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith("application/problem+json")) {
      return "is not problem+json but " + contentType;
    }
    JsonObject problem;
    try {
      problem = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return "body is not a JSON object: " + response.bodyAsString();
    }
    if (problem == null || !PROBLEM_TYPE.matcher(problem.getString("type", "")).matches()
        || problem.getString("title") == null || problem.getString("detail") == null
        || !Integer.valueOf(response.statusCode()).equals(problem.getInteger("status"))) {
      return "is not a complete problem: " + response.bodyAsString();
    }
    String body = response.bodyAsString();
    if (body.contains("Exception") || body.contains("\tat ") || body.contains("org.postgresql")
        || body.contains("io.vertx") || body.contains("SQLSTATE")) {
      return "leaks internals: " + body;
    }
    return null;
  }

  /** Ids in successful responses join the pools, so later cases can aim at objects made during the run. */
  private static void harvestIds(HttpResponse<Buffer> response) {
    if (response.body() == null || response.body().length() == 0) {
      return;
    }
    try {
      collectIds(response.bodyAsJson(Object.class));
    } catch (RuntimeException e) {
      // not JSON (metrics): nothing to harvest
    }
  }

  private static void collectIds(Object node) {
    if (node instanceof Map<?, ?> map) {
      collectIds(new JsonObject((Map<String, Object>) map));
    } else if (node instanceof List<?> list) {
      collectIds(new JsonArray(list));
    } else if (node instanceof JsonObject object) {
      for (String name : object.fieldNames()) {
        Object value = object.getValue(name);
        if (value instanceof String s && name.endsWith("Id") && isUuid(s)) {
          List<String> pool = world.ids.computeIfAbsent(name, k -> new ArrayList<>());
          if (pool.size() < 50 && !pool.contains(s)) {
            pool.add(s);
          }
        } else {
          collectIds(value);
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(SpecFuzzTest::collectIds);
    }
  }

  private static boolean isUuid(String s) {
    try {
      return UUID.fromString(s).toString().equalsIgnoreCase(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String report(long seed, int perOperation, Tally tally, double seconds) {
    StringBuilder out = new StringBuilder();
    out.append("Spec fuzzing: seed ").append(seed).append(", ").append(perOperation).append(" cases per operation, ")
        .append(tally.byOperation.size()).append(" operations\n");
    out.append(String.format("  requests fuzzed:      %d in %.1f s%n", tally.sent, seconds));
    out.append("  5xx seen:             ").append(tally.serverErrors).append('\n');
    out.append("  partial writes:       ").append(tally.partialWrites).append('\n');
    out.append("  errors not problem+json: ").append(tally.notProblemJson).append('\n');
    out.append("  successes off-contract:  ").append(tally.contractViolations).append('\n');
    out.append("  no response:          ").append(tally.transportFailures).append('\n');
    out.append("  oversize bodies cut off while sending (after 413): ").append(tally.closedOnOversize).append('\n');
    out.append("  statuses: ").append(tally.statuses).append('\n');
    out.append("  mutations: ").append(tally.byMutation).append('\n');
    if (!tally.failures.isEmpty()) {
      out.append("  failures (first ").append(tally.failures.size()).append("):\n");
      tally.failures.forEach(f -> out.append("  ").append(f).append('\n'));
    }
    return out.toString();
  }
}
