package nl.omzien.loadrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import nl.omzien.Omzien;
import nl.omzien.auth.Role;
import nl.omzien.bench.load.LoadPlan;
import nl.omzien.bench.load.LoadRequest;
import nl.omzien.bench.load.RateClient;
import nl.omzien.bench.load.ResultCheck;
import nl.omzien.bench.load.RunResult;
import nl.omzien.db.DbTarget;
import nl.omzien.db.Migrations;
import nl.omzien.generator.GenerateCommand;
import nl.omzien.http.Contract;
import nl.omzien.testing.TestDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The load-run tools (src/scripts/load.sh, classes in nl.omzien.bench.load): their arithmetic, their file formats,
 * the bodies they send, and the database check that keeps a fast wrong answer from passing. (This test lives
 * outside the bench package because surefire skips {@code **}{@code /bench/**}.)
 */
@DisplayName("Load-run tools")
class LoadToolsTest {

  @Test
  @DisplayName("the constant-rate schedule sends request i at start + i/rate and never early")
  void schedule() {
    long start = 1_000_000_000L;
    RateClient.Schedule s = RateClient.Schedule.of(1000, 2, start);
    assertEquals(2000, s.total());
    assertEquals(start, s.intendedNanos(0));
    assertEquals(start + 1_000_000_000L, s.intendedNanos(1000));
    assertEquals(0, s.dueBy(start - 1));
    assertEquals(1, s.dueBy(start));
    assertEquals(1, s.dueBy(start + 999_999));
    assertEquals(2, s.dueBy(start + 1_000_000));
    assertEquals(2000, s.dueBy(start + 60_000_000_000L), "capped at the run's total");
    RateClient.Schedule third = RateClient.Schedule.of(3, 1, 0);
    assertEquals(333_333_333L, third.intendedNanos(1));
    assertEquals(1, third.dueBy(333_333_332L));
    assertEquals(2, third.dueBy(333_333_333L));
    Random random = new Random(1);
    RateClient.Schedule odd = RateClient.Schedule.of(777.7, 3, 5);
    for (int i = 0; i < 10_000; i++) {
      long now = 5 + (long) (random.nextDouble() * 3.2e9);
      long due = odd.dueBy(now);
      assertTrue(due == 0 || odd.intendedNanos(due - 1) <= now, "request " + (due - 1) + " is not early");
      assertTrue(due == odd.total() || odd.intendedNanos(due) > now, "request " + due + " is not late");
    }
    assertThrows(IllegalArgumentException.class, () -> RateClient.Schedule.of(0, 1, 0));
  }

  @Test
  @DisplayName("quantiles are nearest-rank: p50 of 1..100 is 50, p99 is 99")
  void quantiles() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = i + 1;
    }
    assertEquals(50, RateClient.quantile(values, 0.5));
    assertEquals(99, RateClient.quantile(values, 0.99));
    assertEquals(100, RateClient.quantile(values, 1.0));
    assertEquals(1, RateClient.quantile(values, 0.0));
    assertEquals(7, RateClient.quantile(new long[] {7}, 0.99));
    assertEquals(0, RateClient.quantile(new long[0], 0.5));
  }

  @Test
  @DisplayName("a run's tail: the answers at or above p99, when they were sent in the measured part, the slowest")
  void tailOfARun() {
    // 100 requests/s; 100 warm-up requests, then 200 measured; a stall hits measured requests 50..51 (0.50-0.51 s).
    RateClient.Schedule s = RateClient.Schedule.of(100, 3, 1_000);
    long[] latencies = new long[300];
    for (int i = 0; i < 300; i++) {
      latencies[i] = 2_000_000; // 2 ms
    }
    latencies[10] = 900_000_000;  // a warm-up answer: not in the measured tail
    latencies[150] = 80_000_000;  // 80 ms
    latencies[151] = 120_000_000; // 120 ms
    latencies[260] = 80_000_000;  // and one more, 1.60 s in
    latencies[299] = 0;           // unanswered: left out
    RateClient.Tail tail = RateClient.tail(s, latencies, 100, 300);
    // 199 answered: p99 is the 198th smallest, 80 ms; the two stalled answers and the later one are at or above it.
    assertEquals(3, tail.count());
    assertEquals(0.50, tail.fromS(), 1e-9);
    assertEquals(1.60, tail.toS(), 1e-9);
    assertEquals(2, tail.windows(), "0.5-0.6 s and 1.6-1.7 s");
    assertEquals(120.0, tail.maxMs(), 1e-9);
    assertEquals("the 3 answers at or above p99 were sent 0.50-1.60 s into the measured run, in 2 of its 100 ms"
        + " windows (slowest 120.00 ms)", tail.toString());
    assertEquals(new RateClient.Tail(0, 0, 0, 0, 0), RateClient.tail(s, new long[300], 100, 300));
  }

  @Test
  @DisplayName("the rate client's request bytes: request line, host, token, JSON body with its length")
  void encodedRequests() {
    byte[][] bytes = RateClient.encode(List.of(LoadRequest.get("/v1/me/offers?limit=5", "t.o.k"),
        new LoadRequest("POST", "/v1/requests", "-", "{\"kind\":\"transport\",\"note\":\"café\"}"),
        new LoadRequest("POST", "/v1/offers/x/accept", "t.o.k", "-")), "127.0.0.1:8080");
    assertEquals("GET /v1/me/offers?limit=5 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t.o.k\r\n\r\n",
        new String(bytes[0], StandardCharsets.UTF_8));
    assertEquals("POST /v1/requests HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
        + "Content-Length: 35\r\n\r\n{\"kind\":\"transport\",\"note\":\"café\"}", new String(bytes[1], StandardCharsets.UTF_8),
        "the length counts UTF-8 bytes (é is two)");
    assertEquals("POST /v1/offers/x/accept HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t.o.k\r\n"
        + "Content-Length: 0\r\n\r\n", new String(bytes[2], StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("the rate client's parser finds each response however the reads cut the bytes, and refuses chunked")
  void responseParser() {
    String stream = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"
        + "HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\nContent-Length: 29\r\n\r\n"
        + "{\"code\":\"offer-filled\",\"x\":1}"
        + "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nCONTENT-LENGTH:   3\r\n\r\n{ }";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<String> expected = List.of("200", "409 {\"code\":\"offer-filled\",\"x\":1}", "204", "201");
    Random random = new Random(5);
    for (int round = 0; round < 300; round++) {
      List<String> seen = new ArrayList<>();
      RateClient.ResponseParser parser = new RateClient.ResponseParser((status, body) ->
          seen.add(body == null ? String.valueOf(status) : status + " " + new String(body, StandardCharsets.UTF_8)));
      int at = 0;
      while (at < bytes.length) { // cut into random pieces, one byte at a time in the first round
        int piece = round == 0 ? 1 : 1 + random.nextInt(40);
        int to = Math.min(bytes.length, at + piece);
        parser.feed(Buffer.buffer(Arrays.copyOfRange(bytes, at, to)));
        at = to;
      }
      assertEquals(expected, seen, "round " + round);
      assertTrue(parser.idle());
    }
    RateClient.ResponseParser chunked = new RateClient.ResponseParser((status, body) -> { });
    assertThrows(IllegalStateException.class, () -> chunked.feed(Buffer.buffer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")));
    RateClient.ResponseParser unsized = new RateClient.ResponseParser((status, body) -> { });
    assertThrows(IllegalStateException.class, () -> unsized.feed(Buffer.buffer("HTTP/1.1 200 OK\r\n\r\n")));
  }

  @Test
  @DisplayName("the rate client sends every request of warm-up and run, on time, and counts what came back")
  void rateClientRun() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger seen = new AtomicInteger();
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        seen.incrementAndGet();
        if (req.path().equals("/conflict")) {
          req.response().setStatusCode(409).putHeader("Content-Type", "application/problem+json")
              .end("{\"type\":\"x\",\"code\":\"offer-filled\"}");
        } else if (req.path().equals("/slow")) {
          vertx.setTimer(30, t -> req.response().end("{\"slow\":true}"));
        } else {
          int status = !"Bearer tok".equals(req.getHeader("Authorization")) ? 401
              : req.method().name().equals("POST") && b.toString().equals("{}") ? 201 : 200;
          req.response().setStatusCode(status).end("{}");
        }
      })).listen(0).await(10, TimeUnit.SECONDS);
      List<LoadRequest> plan = List.of(LoadRequest.get("/ok", "tok"), new LoadRequest("POST", "/ok", "tok", "{}"),
          new LoadRequest("POST", "/conflict", "-", "-"), LoadRequest.get("/slow", "-"));
      Instant before = Instant.now();
      RateClient.Outcome outcome = RateClient.run("127.0.0.1", server.actualPort(), plan, "test", 200, 0.5, 1, 4);
      Instant after = Instant.now();
      // The measured part starts half a second (the warm-up) after the schedule, and ends a second later.
      assertTrue(!outcome.measuredStart().isBefore(before.plusMillis(500))
          && !outcome.measuredStart().isAfter(after.minusMillis(900)),
          "the measured run's wall-clock start " + outcome.measuredStart() + " is within " + before + " .. " + after);
      List<RunResult> results = outcome.results();
      assertEquals(2, results.size());
      RunResult warmup = results.get(0);
      RunResult run = results.get(1);
      assertEquals("warmup", warmup.mode());
      assertEquals(100, warmup.sent());
      assertEquals(100, warmup.answered());
      assertEquals("rate", run.mode());
      assertEquals(200, run.sent(), "the measured second at 200/s");
      assertEquals(200, run.answered());
      assertEquals(300, seen.get(), "the server saw warm-up and run, nothing twice");
      assertEquals(Map.of(200, 100L, 201, 50L, 409, 50L), Map.copyOf(run.statuses()), "the plan cycles (/ok and /slow: 200)");
      RateClient.Tail tail = outcome.tail();
      assertTrue(tail.count() >= 2 && tail.count() <= 50, "a quarter of the answers are slow, its p99 among them: " + tail);
      assertTrue(tail.maxMs() >= 30, "the slowest waited for the 30 ms timer: " + tail);
      assertTrue(tail.fromS() >= 0 && tail.fromS() <= tail.toS() && tail.toS() < 1, "within the measured second: " + tail);
      assertEquals(Map.of("offer-filled", 50L), Map.copyOf(run.codes()));
      assertEquals(0, run.socketErrors());
      assertTrue(run.p99Ms() >= 30, "a quarter of the answers waited 30 ms: p99 " + run.p99Ms());
      assertTrue(run.p50Ms() < 30, "the others did not: p50 " + run.p50Ms());
      assertTrue(run.seconds() >= 1 && run.seconds() < 3, "one second of schedule: " + run.seconds());
      server.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("plan lines and result lines survive a round trip; a tab in a field is refused")
  void formats() {
    LoadRequest r = new LoadRequest("POST", "/v1/requests", "tok.en.x", "{\"a\":1}");
    assertEquals(r, LoadRequest.parse(r.line()));
    assertThrows(IllegalArgumentException.class, () -> new LoadRequest("GET", "/a\tb", "-", "-"));
    assertThrows(IllegalArgumentException.class, () -> LoadRequest.parse("GET\t/x\t-"));

    RunResult result = new RunResult("accept", "max", 0, 10.5, 1000, 990, 94.3, 1.5, 9.25,
        new TreeMap<>(Map.of(200, 300L, 409, 690L)), new TreeMap<>(Map.of("offer-filled", 690L)), 0);
    RunResult back = RunResult.parse(result.line());
    assertEquals(result.statuses(), back.statuses());
    assertEquals(result.codes(), back.codes());
    assertEquals(990, back.answered());
    assertEquals(9.25, back.p99Ms(), 1e-9);
    assertEquals(300, back.ok());
    RunResult both = RunResult.sum(back, back);
    assertEquals(600, both.status(200));
    assertEquals(2000, both.sent());
    // What wrk's replay.lua writes (tab-separated key=value) parses the same way.
    RunResult lua = RunResult.parse("scenario=nearby\tmode=max\ttarget_rate=0\tseconds=10.001\tsent=100\t"
        + "answered=98\trps=9.799\tp50_ms=1.000\tp99_ms=4.000\tstatuses=200:97,599:1\tcodes=\tsocket_errors=0");
    assertEquals(97, lua.ok());
    assertFalse(ResultCheck.answers(lua).ok(), "a status >= 400 in a read is unexpected");
  }

  @Test
  @DisplayName("every generated hulpvraag body is valid against openapi/omzien.yaml")
  void bodiesFollowTheContract() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = Contract.load(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
      RequestValidator validator = RequestValidator.create(vertx, contract);
      Random random = new Random(3);
      LoadPlan.User resident = new LoadPlan.User(UUID.randomUUID(), Set.of(Role.RESIDENT), Set.of(), 52.09, 5.12);
      Map<String, Integer> kinds = new TreeMap<>();
      for (int i = 0; i < 200; i++) {
        String body = LoadPlan.body(random, resident, LocalDate.of(2026, 11, 23));
        validator.validate(new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
            new RequestParameterImpl(Buffer.buffer(body)), "application/json"), "createHelpRequest")
            .await(10, TimeUnit.SECONDS);
        kinds.merge(new io.vertx.core.json.JsonObject(body).getString("kind"), 1, Integer::sum);
      }
      assertEquals(Set.of("transport", "companionship", "respite"), kinds.keySet(), "all three kinds: " + kinds);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the result check passes one winner per request and fails two, a missing push or a miscount")
  void resultCheck() throws Exception {
    URI url = URI.create(TestDatabase.newDatabaseUrl("loadtools"));
    DbTarget target = new DbTarget(url.getHost(), url.getPort(), url.getPath().substring(1), "postgres", "");
    Migrations.migrate(target);
    try (Connection db = GenerateCommand.connect(target)) {
      Instant mark = Instant.now().minusSeconds(60);
      UUID resident = user(db, "resident");
      UUID[] volunteers = {user(db, "volunteer"), user(db, "volunteer"), user(db, "volunteer")};
      // Request A: won by volunteer 0, the others filled. Request B: still offered to all three.
      UUID a = request(db, resident, "matched", volunteers[0]);
      UUID b = request(db, resident, "offered", null);
      offer(db, a, volunteers[0], "accepted");
      offer(db, a, volunteers[1], "filled");
      offer(db, a, volunteers[2], "filled");
      for (UUID v : volunteers) {
        offer(db, b, v, "pending");
      }
      exec(db, "insert into help_request_history (request_id, to_status) values (?, 'matched')", a);
      exec(db, "insert into push_outbox (id, user_id, kind, request_id, due_at, created_at) "
          + "values (gen_random_uuid(), ?, 'match_confirmed', ?, now(), now())", resident, a);

      RunResult accepts = new RunResult("accept", "max", 0, 1, 3, 3, 3, 1, 1,
          new TreeMap<>(Map.of(200, 1L, 409, 2L)), new TreeMap<>(Map.of("offer-filled", 2L)), 0);
      ResultCheck good = new ResultCheck().created(db, mark, 2, 0).accepted(db, List.of(a, b), accepts);
      assertTrue(good.ok(), good.lines().toString());

      // Two 201s counted but three requests written: more rows than answers and nothing in flight.
      request(db, resident, "offered", null);
      assertFalse(new ResultCheck().created(db, mark, 2, 0).ok());
      // A second winner on A.
      exec(db, "update offer set status = 'accepted' where request_id = ? and volunteer_id = ?", a, volunteers[1]);
      ResultCheck twoWinners = new ResultCheck().accepted(db, List.of(a, b), accepts);
      assertFalse(twoWinners.ok());
      assertFalse(twoWinners.lines().get(0).ok(), twoWinners.lines().get(0).toString());
      exec(db, "update offer set status = 'filled' where request_id = ? and volunteer_id = ?", a, volunteers[1]);
      // Two 200s counted for one winner.
      RunResult miscounted = new RunResult("accept", "max", 0, 1, 3, 3, 3, 1, 1,
          new TreeMap<>(Map.of(200, 2L, 409, 1L)), new TreeMap<>(), 0);
      assertFalse(new ResultCheck().accepted(db, List.of(a, b), miscounted).ok());
      // A winner whose resident was never told.
      exec(db, "delete from push_outbox where request_id = ?", a);
      assertFalse(new ResultCheck().accepted(db, List.of(a, b), accepts).ok());
    }
  }

  private static UUID user(Connection db, String role) throws Exception {
    UUID id = UUID.randomUUID();
    exec(db, "insert into app_user (id, roles) values (?, array[?])", id, role);
    return id;
  }

  private static UUID request(Connection db, UUID resident, String status, UUID volunteer) throws Exception {
    UUID id = UUID.randomUUID();
    exec(db, "insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, "
        + "first_starts_at, volunteer_id, round) values (?, ?, ?, 'companionship', ?, 'normal', '{}', 52.09, 5.12, "
        + "now() + interval '7 days', ?, 1)", id, resident, resident, status, volunteer);
    return id;
  }

  private static void offer(Connection db, UUID request, UUID volunteer, String status) throws Exception {
    UUID id = UUID.randomUUID();
    exec(db, "insert into offer (id, request_id, volunteer_id, round, status, score, breakdown, distance_m) "
        + "values (?, ?, ?, 1, ?, 0.5, '{}', 100)", id, request, volunteer, status);
    exec(db, "insert into push_outbox (id, user_id, kind, offer_id, request_id, due_at, created_at) "
        + "values (gen_random_uuid(), ?, 'offer_made', ?, ?, now(), now())", volunteer, id, request);
  }

  private static void exec(Connection db, String sql, Object... params) throws Exception {
    try (PreparedStatement s = db.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      s.executeUpdate();
    }
  }
}
