package nl.omzien.matching;

import static nl.omzien.matching.MatchFixture.profile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Changes of one request (or of the same volunteers) at the same moment, as the crash and soak scripts' mixed load
 * produced them. Accepts racing declines on one request: the decline used to
 * lock the offer and then the request while an accept locks the request and then the offers (PostgreSQL
 * deadlock: 500), and an accept that waited for the request's lock matched the request even when the offer had
 * been declined meanwhile (both answered 200; the request matched with a declined offer). First rounds of two new
 * requests deadlocked on the volunteers' offer-cap locks (the request then answered "open" and waited for the
 * worker). An accept answered 404 "Task not found" when the resident had cancelled after it was accepted (a retry of the
 * accept, or a cancel between its commit and the read of the task).
 */
@DisplayName("Matching: accepts, declines, cancels and rounds at the same moment")
@ExtendWith(BlockedThreadWatch.class)
class AcceptDeclineRaceTest {
  private static final int ROUNDS = 12;
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("acceptdecline", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  @Test
  @DisplayName("one volunteer accepts while another declines: never a 500, and the request is matched to the one who accepted")
  void acceptAndDeclineByTwo() throws Exception {
    var a = f.volunteer("A", 0.1, profile().cap(20));
    var b = f.volunteer("B", 0.2, profile().cap(20));
    var c = f.volunteer("C", 0.3, profile().cap(20));
    var resident = f.resident("Ria", 0);
    for (int round = 0; round < ROUNDS; round++) {
      String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
      var accept = post("/v1/offers/" + f.offerOf(id, a) + "/accept", a);
      var decline = post("/v1/offers/" + f.offerOf(id, b) + "/decline", b);
      Future.join(accept, decline).await(30, TimeUnit.SECONDS);
      assertEquals(200, accept.result().statusCode(), accept.result()::bodyAsString);
      int declined = decline.result().statusCode();
      assertTrue(declined == 200 || declined == 409, "decline: " + decline.result().bodyAsString());
      assertConsistent(id);
      assertEquals(a.id(), matchedVolunteer(id));
      assertEquals(declined == 200 ? "declined" : "filled", offerStatus(id, b));
      assertEquals("filled", offerStatus(id, c));
    }
  }

  @Test
  @DisplayName("a volunteer taps accept and decline of one offer at once: exactly one of them wins")
  void acceptAndDeclineOfOneOffer() throws Exception {
    var a = f.volunteer("A", 0.1, profile().cap(20));
    f.volunteer("B", 0.2, profile().cap(20));
    var resident = f.resident("Ria", 0);
    for (int round = 0; round < ROUNDS; round++) {
      String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
      String offer = "/v1/offers/" + f.offerOf(id, a);
      var accept = post(offer + "/accept", a);
      var decline = post(offer + "/decline", a);
      Future.join(accept, decline).await(30, TimeUnit.SECONDS);
      int accepted = accept.result().statusCode();
      int declined = decline.result().statusCode();
      assertTrue(accepted == 200 || accepted == 409, "accept: " + accept.result().bodyAsString());
      assertTrue(declined == 200 || declined == 409, "decline: " + decline.result().bodyAsString());
      assertFalse(accepted == 200 && declined == 200, "both the accept and the decline of one offer said yes");
      assertConsistent(id);
      assertEquals(accepted == 200 ? "accepted" : "declined", offerStatus(id, a));
      assertEquals(accepted == 200, a.id().equals(matchedVolunteer(id)));
    }
  }

  @Test
  @DisplayName("two new requests asking the same volunteers in opposite order at once both get their first round")
  void roundsOfTwoRequestsAtOnce() throws Exception {
    f.volunteer("A", 0.1, profile().cap(20));
    f.volunteer("B", 0.2, profile().cap(20));
    f.volunteer("C", 0.3, profile().cap(20));
    // West of A and east of C: the first round of one asks A, B, C and of the other C, B, A (by distance). Each
    // offer push takes its volunteer's offer-cap lock, so in that order the two rounds deadlocked.
    var west = f.resident("West", 0);
    var east = f.resident("East", 0.4);
    for (int round = 0; round < ROUNDS; round++) {
      var one = app.client().post("/v1/requests").bearerTokenAuthentication(west.token())
          .sendJsonObject(MatchFixture.ride(0));
      var two = app.client().post("/v1/requests").bearerTokenAuthentication(east.token())
          .sendJsonObject(MatchFixture.ride(0.4));
      Future.join(one, two).await(30, TimeUnit.SECONDS);
      for (var created : List.of(one.result(), two.result())) {
        assertEquals(201, created.statusCode(), created::bodyAsString);
        assertEquals("offered", created.bodyAsJsonObject().getString("status"),
            "round 1 ran before the answer (it fails only when it deadlocks)");
      }
    }
  }

  @Test
  @DisplayName("an accept answered after the resident cancelled (a retry, or a cancel right after the commit) is 409 offer-closed, not 404")
  void acceptAfterCancel() throws Exception {
    var a = f.volunteer("A", 0.1, profile().cap(20));
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    String accept = "/v1/offers/" + f.offerOf(id, a) + "/accept";
    assertEquals(200, post(accept, a).await(30, TimeUnit.SECONDS).statusCode());
    var cancelled = app.client().post("/v1/requests/" + id + "/cancel").bearerTokenAuthentication(resident.token())
        .sendJsonObject(new io.vertx.core.json.JsonObject().put("reason", "not needed")).await(30, TimeUnit.SECONDS);
    assertEquals(200, cancelled.statusCode(), cancelled::bodyAsString);
    var again = post(accept, a).await(30, TimeUnit.SECONDS);
    assertEquals(409, again.statusCode(), again::bodyAsString);
    assertEquals("offer-closed", again.bodyAsJsonObject().getString("code"));

    // The same at the same moment: 200 or 409, never 404 for an offer that exists, never 500.
    for (int round = 0; round < ROUNDS; round++) {
      String next = f.ask(resident, MatchFixture.ride(0)).getString("id");
      var racing = post("/v1/offers/" + f.offerOf(next, a) + "/accept", a);
      var cancel = app.client().post("/v1/requests/" + next + "/cancel").bearerTokenAuthentication(resident.token())
          .sendJsonObject(new io.vertx.core.json.JsonObject().put("reason", "not needed"));
      Future.join(racing, cancel).await(30, TimeUnit.SECONDS);
      int status = racing.result().statusCode();
      assertTrue(status == 200 || status == 409, "accept: " + status + " " + racing.result().bodyAsString());
      assertEquals(200, cancel.result().statusCode(), cancel.result()::bodyAsString);
    }
  }

  private static Future<HttpResponse<Buffer>> post(String path, MatchFixture.Person who) {
    return app.client().post(path).bearerTokenAuthentication(who.token()).send();
  }

  /** Matched if and only if exactly one offer is accepted, and it is the matched volunteer's. */
  private static void assertConsistent(String id) throws Exception {
    UUID request = UUID.fromString(id);
    List<Row> accepted = f.rows("select volunteer_id from offer where request_id = $1 and status = 'accepted'", request);
    UUID matched = matchedVolunteer(id);
    if (matched == null) {
      assertEquals(0, accepted.size(), "an accepted offer on a request that is not matched");
    } else {
      assertEquals(1, accepted.size(), "a matched request needs exactly one accepted offer");
      assertEquals(matched, accepted.get(0).getUUID("volunteer_id"));
    }
  }

  private static UUID matchedVolunteer(String id) throws Exception {
    return f.rows("select volunteer_id from help_request where id = $1 and status = 'matched'", UUID.fromString(id))
        .stream().findFirst().map(r -> r.getUUID("volunteer_id")).orElse(null);
  }

  private static String offerStatus(String id, MatchFixture.Person volunteer) throws Exception {
    return f.rows("select status from offer where request_id = $1 and volunteer_id = $2", UUID.fromString(id),
        volunteer.id()).get(0).getString("status");
  }
}
