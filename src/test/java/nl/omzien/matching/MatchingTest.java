package nl.omzien.matching;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.geo.AreaIndex;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Matching: rounds, first accept wins, declines, escalation, the ambassador's queue")
@ExtendWith(BlockedThreadWatch.class)
class MatchingTest {
  private static TestApp app;
  private static MatchFixture f;
  private static String wijk;

  @BeforeAll
  static void start() throws Exception {
    // The worker's timer is off: each test moves time by setting due times and runs the step itself.
    app = TestApp.start("matching", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
    wijk = AreaIndex.loadUtrecht().buurtAt(MatchFixture.LAT, MatchFixture.LON).orElseThrow().wijkCode();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static void assertConflict(HttpResponse<Buffer> response, String code) {
    assertEquals(code, assertProblem(response, 409, "conflict").getString("code"), response::bodyAsString);
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  @Test
  @DisplayName("a new ride is offered at once to the 3 best eligible drivers, with a stored breakdown and a push each")
  void firstRound() throws Exception {
    var near = f.volunteer("Anna", 0.3, profile());
    var mid = f.volunteer("Bram", 0.8, profile());
    var far = f.volunteer("Cor", 1.6, profile());
    var fourth = f.volunteer("Dirk", 2.5, profile());
    var noCar = f.volunteer("Eva", 0.1, profile().transport("bike"));
    var paused = f.volunteer("Fenna", 0.2, profile().paused());
    var resident = f.resident("Ria", 0);

    JsonObject request = f.ask(resident, MatchFixture.ride(0));
    assertEquals("offered", request.getString("status"));
    List<UUID> offered = f.offered(request.getString("id"));
    assertEquals(Set.of(near.id(), mid.id(), far.id()), Set.copyOf(offered));
    assertFalse(offered.contains(fourth.id()));
    assertFalse(offered.contains(noCar.id()));
    assertFalse(offered.contains(paused.id()));

    var row = f.rows("select breakdown from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(request.getString("id")), near.id()).get(0);
    JsonObject breakdown = (JsonObject) row.getValue("breakdown");
    assertTrue(breakdown.getDouble("total") > 0);
    assertEquals(5, breakdown.getJsonObject("parts").size());
    assertEquals(3, f.count("select count(*) from push_outbox where kind = 'offer_made' and request_id = $1",
        UUID.fromString(request.getString("id"))));
    assertEquals(2, f.count("select count(*) from help_request_history where request_id = $1",
        UUID.fromString(request.getString("id"))), "created, then offered");
  }

  @Test
  @DisplayName("a new request whose nearest volunteer is beyond round 1 is written offered in the first round that finds one")
  void firstRoundWidensAtOnce() throws Exception {
    var six = f.volunteer("Bram", 6, profile());
    var resident = f.resident("Ria", 0);

    JsonObject request = f.ask(resident, MatchFixture.ride(0));
    UUID id = UUID.fromString(request.getString("id"));
    assertEquals("offered", request.getString("status"));
    assertEquals(List.of(six.id()), f.offered(request.getString("id")));
    var row = f.rows("select round, next_round_at > now() as waits, first_offer_at is not null as offered_at "
        + "from help_request where id = $1", id).get(0);
    assertEquals(2, row.getInteger("round"), "round 1 (5 km) found nobody, round 2 (7.5 km) did");
    assertTrue(row.getBoolean("waits"), "the round's timer runs");
    assertTrue(row.getBoolean("offered_at"));
    assertEquals(List.of("created", "offer round 2: 1 volunteer(s) asked"), f.rows(
        "select reason from help_request_history where request_id = $1 order by id", id).stream()
        .map(r -> r.getString("reason")).toList());
    assertEquals(2, f.rows("select round from offer where request_id = $1", id).get(0).getInteger("round"));
  }

  @Test
  @DisplayName("when the first round cannot be written the request is still stored, open and due, with nothing of the round")
  void firstRoundWriteFails() throws Exception {
    var near = f.volunteer("Anna", 0.3, profile());
    var resident = f.resident("Ria", 0);
    f.sql("""
        create function fail_offer_push() returns trigger language plpgsql as
        $$ begin raise exception 'offer pushes cannot be written'; end $$""");
    f.sql("create trigger fail_offer_push before insert on push_outbox for each row "
        + "when (new.kind = 'offer_made') execute function fail_offer_push()");
    JsonObject request;
    try {
      request = f.ask(resident, MatchFixture.ride(0));
    } finally {
      f.sql("drop trigger fail_offer_push on push_outbox");
      f.sql("drop function fail_offer_push()");
    }
    UUID id = UUID.fromString(request.getString("id"));
    assertEquals("open", request.getString("status"));
    assertTrue(f.rows("select next_round_at <= now() as due from help_request where id = $1", id).get(0)
        .getBoolean("due"), "due, so the worker runs its first round");
    assertEquals(List.of(), f.offered(request.getString("id")), "no offer without its push");
    assertEquals(1, f.count("select count(*) from help_request_history where request_id = $1", id), "created only");
    assertEquals(1, f.count("select count(*) from help_request_window where request_id = $1", id));

    app.app().matcher().runDue(id).await(20, TimeUnit.SECONDS);
    assertEquals("offered", f.status(request.getString("id")));
    assertEquals(List.of(near.id()), f.offered(request.getString("id")));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_made' and request_id = $1", id));
  }

  @Test
  @DisplayName("ten concurrent retries of a new request with one key: one request, one offer and one push, all answers name it")
  void concurrentRetriesWriteOneRound() throws Exception {
    var near = f.volunteer("Anna", 0.3, profile());
    var resident = f.resident("Ria", 0);
    JsonObject body = MatchFixture.ride(0);
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(app.client().post("/v1/requests").bearerTokenAuthentication(resident.token())
          .putHeader("Idempotency-Key", "ride-to-umc").sendJsonObject(body));
    }
    Future.all(sent).await(30, TimeUnit.SECONDS);
    Set<String> ids = new java.util.HashSet<>();
    int created = 0;
    for (Future<HttpResponse<Buffer>> one : sent) {
      HttpResponse<Buffer> response = one.result();
      assertTrue(Set.of(200, 201).contains(response.statusCode()), response::bodyAsString);
      assertEquals("offered", response.bodyAsJsonObject().getString("status"));
      created += response.statusCode() == 201 ? 1 : 0;
      ids.add(response.bodyAsJsonObject().getString("id"));
    }
    assertEquals(1, created);
    assertEquals(1, ids.size());
    assertEquals(1, f.count("select count(*) from help_request where resident_id = $1", resident.id()));
    assertEquals(List.of(near.id()), f.offered(ids.iterator().next()));
    assertEquals(1, f.count("select count(*) from push_outbox where user_id = $1", near.id()),
        "the attempts that lost the insert wrote no push");
  }

  @Test
  @DisplayName("before the match a volunteer sees the buurt and a distance band, never name, address, note or point")
  void offerHidesPersonalData() throws Exception {
    var volunteer = f.volunteer("Anna", 0.5, profile());
    var resident = f.resident("Ria", 0);
    JsonObject request = f.ask(resident, MatchFixture.ride(0, "walker"));

    HttpResponse<Buffer> offers = f.send("GET", "/v1/me/offers", volunteer.token(), null);
    assertEquals(200, offers.statusCode(), offers::bodyAsString);
    app.assertMatchesContract("listMyOffers", offers);
    JsonObject offer = offers.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertEquals(request.getString("id"), offer.getJsonObject("request").getString("id"));
    assertEquals("under_1km", offer.getJsonObject("request").getString("distanceBand"));
    String text = offers.bodyAsString();
    for (String secret : List.of("Ria", "Tigrisdreef", "slecht ter been", "+3130", String.valueOf(MatchFixture.LAT))) {
      assertFalse(text.contains(secret), "the offer must not show " + secret);
    }
    assertEquals("walker", offer.getJsonObject("request").getJsonObject("needs").getJsonObject("transport")
        .getJsonArray("mobility").getString(0));

    HttpResponse<Buffer> one = f.send("GET", "/v1/offers/" + offer.getString("id"), volunteer.token(), null);
    assertEquals(200, one.statusCode());
    app.assertMatchesContract("getOffer", one);
    var other = f.volunteer("Bram", 3, profile().travelKm(1));
    assertProblem(f.send("GET", "/v1/offers/" + offer.getString("id"), other.token(), null), 404, "not-found");
  }

  @Test
  @DisplayName("accepting: the winner gets contact details, the resident sees who comes, the others are told it is filled")
  void acceptAndMatch() throws Exception {
    var a = f.volunteer("Anna", 0.3, profile());
    var b = f.volunteer("Bram", 0.6, profile());
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");

    HttpResponse<Buffer> accepted = f.send("POST", "/v1/offers/" + f.offerOf(id, a) + "/accept", a.token(), null);
    assertEquals(200, accepted.statusCode(), accepted::bodyAsString);
    app.assertMatchesContract("acceptOffer", accepted);
    JsonObject task = accepted.bodyAsJsonObject();
    assertEquals("matched", task.getString("status"));
    assertEquals("Ria", task.getJsonObject("contact").getString("firstName"));
    assertEquals("Tigrisdreef 12, 3561 Utrecht", task.getJsonObject("contact").getString("address"));
    assertNotNull(task.getString("note"));

    // Retrying the same accept (a flaky network) answers the same task.
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, a) + "/accept", a.token(), null).statusCode());
    assertConflict(f.send("POST", "/v1/offers/" + f.offerOf(id, b) + "/accept", b.token(), null), "offer-filled");

    HttpResponse<Buffer> match = f.send("GET", "/v1/requests/" + id + "/match", resident.token(), null);
    assertEquals(200, match.statusCode(), match::bodyAsString);
    app.assertMatchesContract("getMatch", match);
    assertEquals("Anna", match.bodyAsJsonObject().getJsonObject("volunteer").getString("firstName"));
    assertFalse(match.bodyAsString().contains("Jansen"), "only the first name");

    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_filled' and user_id = $1", b.id()));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'match_confirmed' and user_id = $1",
        resident.id()));
    assertEquals(2, f.count("select count(*) from push_outbox where kind = 'volunteer_details_released'"
        + " and request_id = $1", UUID.fromString(id)));
    assertEquals(4, f.count("select count(*) from push_outbox where kind = 'appointment_reminder'"
        + " and request_id = $1 and due_at > now()", UUID.fromString(id)), "24 h and 1 h ahead, for both");

    HttpResponse<Buffer> tasks = f.send("GET", "/v1/me/tasks", a.token(), null);
    assertEquals(200, tasks.statusCode());
    app.assertMatchesContract("listMyTasks", tasks);
    assertEquals(1, tasks.bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  @DisplayName("50 volunteers accept the same request at once: exactly 1 wins, 49 get 409 offer-filled")
  void concurrentAccepts() throws Exception {
    List<MatchFixture.Person> volunteers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      volunteers.add(f.volunteer("V" + i, 0.02 * i, profile()));
    }
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    // Make every one of them an offer (the first round asks 3): the race is about the accept, not the round.
    for (var v : volunteers) {
      f.sql("insert into offer (id, request_id, volunteer_id, round, score, breakdown, distance_m)"
          + " values ($1, $2, $3, 1, 0.5, '{}'::jsonb, 100) on conflict do nothing",
          UUID.randomUUID(), UUID.fromString(id), v.id());
    }
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (var v : volunteers) {
      calls.add(app.client().post("/v1/offers/" + f.offerOf(id, v) + "/accept").bearerTokenAuthentication(v.token())
          .send());
    }
    Future.join(calls).await(60, TimeUnit.SECONDS);
    int won = 0;
    int filled = 0;
    for (var call : calls) {
      HttpResponse<Buffer> r = call.result();
      if (r.statusCode() == 200) {
        won++;
      } else {
        assertConflict(r, "offer-filled");
        filled++;
      }
    }
    assertEquals(1, won);
    assertEquals(49, filled);
    assertEquals(1, f.count("select count(*) from offer where request_id = $1 and status = 'accepted'",
        UUID.fromString(id)));
    assertEquals(1, f.count("select count(*) from help_request_history where request_id = $1 and to_status = 'matched'",
        UUID.fromString(id)));
  }

  @Test
  @DisplayName("a decline asks the next eligible volunteer at once, and is idempotent")
  void declineAsksNext() throws Exception {
    var a = f.volunteer("Anna", 0.1, profile());
    f.volunteer("Bram", 0.2, profile());
    f.volunteer("Cor", 0.3, profile());
    var next = f.volunteer("Dirk", 0.4, profile());
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertFalse(f.offered(id).contains(next.id()));

    UUID offer = f.offerOf(id, a);
    HttpResponse<Buffer> declined = f.send("POST", "/v1/offers/" + offer + "/decline", a.token(),
        new JsonObject().put("reason", "Ik ben op vakantie"));
    assertEquals(200, declined.statusCode(), declined::bodyAsString);
    app.assertMatchesContract("declineOffer", declined);
    assertEquals("declined", declined.bodyAsJsonObject().getString("status"));
    assertTrue(f.offered(id).contains(next.id()), "the next volunteer is asked");
    assertEquals(200, f.send("POST", "/v1/offers/" + offer + "/decline", a.token(), new JsonObject()).statusCode());
    assertConflict(f.send("POST", "/v1/offers/" + offer + "/accept", a.token(), null), "offer-closed");
  }

  @Test
  @DisplayName("rounds widen the radius, then escalate to the wijk's ambassadors, who see it in their queue")
  void roundsThenEscalation() throws Exception {
    var near = f.volunteer("Anna", 1, profile());
    var six = f.volunteer("Bram", 6, profile());
    var nine = f.volunteer("Cor", 9, profile().travelKm(15));
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(List.of(near.id()), f.offered(id), "round 1: within 5 km");

    f.roundTimePasses(id);
    assertEquals(Set.of(near.id(), six.id()), Set.copyOf(f.offered(id)), "round 2: within 7.5 km");
    f.roundTimePasses(id);
    assertEquals(Set.of(near.id(), six.id(), nine.id()), Set.copyOf(f.offered(id)), "round 3: within 10 km");
    assertEquals("offered", f.status(id));

    var ambassador = f.ambassador(wijk);
    f.sql("insert into app_user (id, roles, wijken) values ($1, array['ambassador'], array[$2])", ambassador.id(), wijk);
    f.roundTimePasses(id);
    assertEquals("escalated", f.status(id));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'request_escalated' and user_id = $1",
        ambassador.id()));

    HttpResponse<Buffer> queue = f.send("GET", "/v1/ambassador/queue", ambassador.token(), null);
    assertEquals(200, queue.statusCode(), queue::bodyAsString);
    app.assertMatchesContract("getAmbassadorQueue", queue);
    JsonObject item = queue.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertEquals(id, item.getString("requestId"));
    assertEquals("escalated", item.getString("status"));

    // Offers made earlier still stand: a late accept after escalation still matches.
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, six) + "/accept", six.token(), null).statusCode());
    assertEquals("matched", f.status(id));
  }

  @Test
  @DisplayName("the resident declines the proposed volunteer: matching starts again without them")
  void residentDeclinesMatch() throws Exception {
    var a = f.volunteer("Anna", 0.1, profile());
    var b = f.volunteer("Bram", 0.2, profile());
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, a) + "/accept", a.token(), null).statusCode());

    HttpResponse<Buffer> declined = f.send("POST", "/v1/requests/" + id + "/match/decline", resident.token(),
        new JsonObject().put("reason", "Ik ken deze persoon"));
    assertEquals(200, declined.statusCode(), declined::bodyAsString);
    app.assertMatchesContract("declineMatch", declined);
    assertEquals("offered", declined.bodyAsJsonObject().getString("status"));
    assertEquals("rejected", f.rows("select status from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(id), a.id()).get(0).getString("status"));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1", a.id()));
    assertEquals(0, f.count("select count(*) from push_outbox where kind = 'appointment_reminder'"
        + " and request_id = $1 and status = 'pending'", UUID.fromString(id)), "the reminders are withdrawn");
    // Bram's offer was closed when Anna accepted; he is asked again, Anna never.
    assertFalse(f.rows("select status from offer where request_id = $1 and volunteer_id = $2",
        UUID.fromString(id), b.id()).get(0).getString("status").equals("filled"));
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, b) + "/accept", b.token(), null).statusCode());
    assertProblem(f.send("POST", "/v1/requests/" + id + "/match/decline", f.volunteer("X", 3, profile()).token(),
        new JsonObject().put("reason", "x")), 403, "forbidden");
  }

  @Test
  @DisplayName("a volunteer completes a task that has started; both sides are asked for feedback")
  void complete() throws Exception {
    var a = f.volunteer("Anna", 0.1, profile());
    var resident = f.resident("Ria", 0);
    String later = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(later, a) + "/accept", a.token(), null).statusCode());
    assertConflict(f.send("POST", "/v1/requests/" + later + "/complete", a.token(),
        new JsonObject().put("hoursSpent", 2)), "not-started");

    String now = f.ask(resident, MatchFixture.ride(0, MatchFixture.window(-0.5, 3))).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(now, a) + "/accept", a.token(), null).statusCode());
    var stranger = f.volunteer("Bram", 0.2, profile());
    assertProblem(f.send("POST", "/v1/requests/" + now + "/complete", stranger.token(),
        new JsonObject().put("hoursSpent", 2)), 404, "not-found");
    assertProblem(f.send("POST", "/v1/requests/" + now + "/complete", a.token(),
        new JsonObject().put("hoursSpent", -1)), 400, "validation-failed", "/hoursSpent");
    HttpResponse<Buffer> done = f.send("POST", "/v1/requests/" + now + "/complete", a.token(),
        new JsonObject().put("hoursSpent", 2.5));
    assertEquals(200, done.statusCode(), done::bodyAsString);
    app.assertMatchesContract("completeTask", done);
    assertEquals("completed", done.bodyAsJsonObject().getString("status"));
    assertEquals(2.5, done.bodyAsJsonObject().getDouble("hoursSpent"));
    assertEquals(2, f.count("select count(*) from push_outbox where kind = 'feedback_requested' and request_id = $1",
        UUID.fromString(now)));
    assertConflict(f.send("POST", "/v1/requests/" + now + "/complete", a.token(),
        new JsonObject().put("hoursSpent", 1)), "illegal-transition");

    // After the grace period the exact data is gone.
    f.sql("update help_request set completed_at = now() - interval '30 days' where id = $1", UUID.fromString(now));
    JsonObject task = f.send("GET", "/v1/me/tasks", a.token(), null).bodyAsJsonObject().getJsonArray("items")
        .stream().map(JsonObject.class::cast).filter(t -> t.getString("requestId").equals(now)).findFirst()
        .orElseThrow();
    assertNull(task.getValue("contact"));
    assertNull(task.getValue("details"));
    assertNull(task.getValue("note"));
    JsonObject match = f.send("GET", "/v1/requests/" + now + "/match", resident.token(), null).bodyAsJsonObject();
    assertNull(match.getValue("volunteer"));
  }

  @Test
  @DisplayName("cancelling withdraws every open offer and tells the volunteers")
  void cancelWithdrawsOffers() throws Exception {
    var a = f.volunteer("Anna", 0.1, profile());
    var b = f.volunteer("Bram", 0.2, profile());
    var resident = f.resident("Ria", 0);
    String id = f.ask(resident, MatchFixture.ride(0)).getString("id");
    assertEquals(200, f.send("POST", "/v1/requests/" + id + "/cancel", resident.token(),
        new JsonObject().put("reason", "Mijn zoon brengt me")).statusCode());
    assertEquals(2, f.count("select count(*) from offer where request_id = $1 and status = 'withdrawn'",
        UUID.fromString(id)));
    assertEquals(1, f.count("select count(*) from push_outbox where kind = 'offer_withdrawn' and user_id = $1", b.id()));
    assertConflict(f.send("POST", "/v1/offers/" + f.offerOf(id, a) + "/accept", a.token(), null), "offer-closed");
    assertEquals(0, f.count("select count(*) from help_request where id = $1 and next_round_at is not null",
        UUID.fromString(id)));
  }
}
