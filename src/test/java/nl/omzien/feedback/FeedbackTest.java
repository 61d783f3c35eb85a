package nl.omzien.feedback;

import static nl.omzien.matching.MatchFixture.profile;
import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.omzien.auth.Role;
import nl.omzien.geo.AreaIndex;
import nl.omzien.matching.MatchFixture;
import nl.omzien.matching.MatchFixture.Person;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Private feedback after the help: once per side, read by the wijk's ambassadors and admins only")
@ExtendWith(BlockedThreadWatch.class)
class FeedbackTest {
  private static TestApp app;
  private static MatchFixture f;
  private static String wijk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("feedback", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
    wijk = AreaIndex.loadUtrecht().buurtAt(MatchFixture.LAT, MatchFixture.LON).orElseThrow().wijkCode();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void clean() throws Exception {
    f.reset();
  }

  private record Done(String id, Person resident, Person volunteer) {
  }

  /** A ride that started half an hour ago, matched and (unless {@code complete} is false) completed. */
  private Done ride(boolean complete) throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person ria = f.resident("Ria", 0);
    String id = f.ask(ria, MatchFixture.ride(0, MatchFixture.window(-0.5, 3))).getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, henk) + "/accept", henk.token(), null).statusCode());
    if (complete) {
      HttpResponse<Buffer> done = f.send("POST", "/v1/requests/" + id + "/complete", henk.token(),
          new JsonObject().put("hoursSpent", 2));
      assertEquals(200, done.statusCode(), done::bodyAsString);
    }
    return new Done(id, ria, henk);
  }

  private HttpResponse<Buffer> give(Done d, Person who, JsonObject body) throws Exception {
    return f.send("POST", "/v1/requests/" + d.id() + "/feedback", who.token(), body);
  }

  private long feedbackRows() throws Exception {
    return f.count("select count(*) from feedback");
  }

  @Test
  @DisplayName("both sides rate a completed ride once; the wijk's ambassador reads both")
  void bothSides() throws Exception {
    Done d = ride(true);
    HttpResponse<Buffer> resident = give(d, d.resident(), new JsonObject().put("rating", 5)
        .put("comment", "Henk was precies op tijd."));
    assertEquals(201, resident.statusCode(), resident::bodyAsString);
    app.assertMatchesContract("giveFeedback", resident);
    assertEquals("resident", resident.bodyAsJsonObject().getString("role"));
    HttpResponse<Buffer> volunteer = give(d, d.volunteer(), new JsonObject().put("rating", 4));
    assertEquals(201, volunteer.statusCode(), volunteer::bodyAsString);
    assertEquals("volunteer", volunteer.bodyAsJsonObject().getString("role"));

    HttpResponse<Buffer> again = give(d, d.resident(), new JsonObject().put("rating", 1));
    assertEquals("feedback-exists", assertProblem(again, 409, "conflict").getString("code"));
    app.assertMatchesContract("giveFeedback", again);
    assertEquals(5, f.rows("select rating from feedback where role = 'resident'").get(0).getShort(0).intValue(),
        "the first one stands");

    HttpResponse<Buffer> read = f.send("GET", "/v1/requests/" + d.id() + "/feedback", f.ambassador(wijk).token(), null);
    assertEquals(200, read.statusCode(), read::bodyAsString);
    app.assertMatchesContract("listFeedback", read);
    assertEquals(List.of("resident", "volunteer"), read.bodyAsJsonObject().getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("role")).sorted().toList());
    UUID admin = UUID.randomUUID();
    assertEquals(200, f.send("GET", "/v1/requests/" + d.id() + "/feedback",
        app.token(admin, Set.of(Role.ADMIN), Set.of()), null).statusCode());
  }

  @Test
  @DisplayName("no feedback before the help is completed: 409 not-completed, nothing stored")
  void notCompleted() throws Exception {
    Done d = ride(false);
    HttpResponse<Buffer> early = give(d, d.resident(), new JsonObject().put("rating", 3));
    assertEquals("not-completed", assertProblem(early, 409, "conflict").getString("code"));
    app.assertMatchesContract("giveFeedback", early);
    assertEquals(0, feedbackRows());
  }

  @Test
  @DisplayName("bad ratings and unknown fields are 400 and store nothing")
  void badInput() throws Exception {
    Done d = ride(true);
    for (JsonObject body : List.of(new JsonObject().put("rating", 0), new JsonObject().put("rating", 6),
        new JsonObject().put("rating", 4.5), new JsonObject().put("rating", 4).put("role", "volunteer"),
        new JsonObject().put("rating", 4).put("comment", "x".repeat(1001)))) {
      HttpResponse<Buffer> bad = give(d, d.resident(), body);
      assertProblem(bad, 400, "validation-failed");
      app.assertMatchesContract("giveFeedback", bad);
    }
    assertProblem(give(d, d.resident(), new JsonObject()), 400, "validation-failed", "/");
    assertProblem(f.send("POST", "/v1/requests/nope/feedback", d.resident().token(),
        new JsonObject().put("rating", 3)), 400, "validation-failed");
    assertEquals(0, feedbackRows());
  }

  @Test
  @DisplayName("strangers get 404 when giving or reading; the parties cannot read it; other roles get 403")
  void whoMay() throws Exception {
    Done d = ride(true);
    assertEquals(201, give(d, d.resident(), new JsonObject().put("rating", 2).put("comment", "Te laat")).statusCode());
    HttpResponse<Buffer> strangerGives = give(d, f.resident("Piet", 1), new JsonObject().put("rating", 1));
    assertProblem(strangerGives, 404, "not-found");
    app.assertMatchesContract("giveFeedback", strangerGives);
    assertProblem(give(d, f.volunteer("Vera", 0.4, profile()), new JsonObject().put("rating", 1)), 404, "not-found");
    assertProblem(give(d, f.ambassador(wijk), new JsonObject().put("rating", 1)), 403, "forbidden");
    assertEquals(1, feedbackRows());

    for (Person party : List.of(d.resident(), d.volunteer())) {
      HttpResponse<Buffer> read = f.send("GET", "/v1/requests/" + d.id() + "/feedback", party.token(), null);
      assertProblem(read, 403, "forbidden");
      app.assertMatchesContract("listFeedback", read);
    }
    // The resident who is also an ambassador, of another wijk, still does not read it.
    UUID both = d.resident().id();
    String elsewhere = "WK034403".equals(wijk) ? "WK034401" : "WK034403";
    HttpResponse<Buffer> residentAmbassador = f.send("GET", "/v1/requests/" + d.id() + "/feedback",
        app.token(both, Set.of(Role.RESIDENT, Role.AMBASSADOR), Set.of(elsewhere)), null);
    assertProblem(residentAmbassador, 404, "not-found");
    app.assertMatchesContract("listFeedback", residentAmbassador);
    assertProblem(f.send("GET", "/v1/requests/" + d.id() + "/feedback", f.ambassador(elsewhere).token(), null), 404,
        "not-found");
    assertProblem(f.send("GET", "/v1/requests/" + UUID.randomUUID() + "/feedback", f.ambassador(wijk).token(), null),
        404, "not-found");
  }

  @Test
  @DisplayName("a carer gives the resident's side of the feedback for the person they care for")
  void carer() throws Exception {
    Person henk = f.volunteer("Henk", 0.2, profile());
    Person carer = f.resident("Karin", 2);
    HttpResponse<Buffer> registered = f.send("POST", "/v1/me/cared-for", carer.token(), new JsonObject()
        .put("displayName", "Mies").put("relationship", "parent").put("home", new JsonObject()
            .put("address", "Tigrisdreef 14").put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON))));
    String mother = registered.bodyAsJsonObject().getString("userId");
    String id = f.ask(carer, MatchFixture.ride(0, MatchFixture.window(-0.5, 3)).put("onBehalfOf", mother))
        .getString("id");
    assertEquals(200, f.send("POST", "/v1/offers/" + f.offerOf(id, henk) + "/accept", henk.token(), null).statusCode());
    assertEquals(200, f.send("POST", "/v1/requests/" + id + "/complete", henk.token(),
        new JsonObject().put("hoursSpent", 1.5)).statusCode());
    HttpResponse<Buffer> given = f.send("POST", "/v1/requests/" + id + "/feedback", carer.token(),
        new JsonObject().put("rating", 5));
    assertEquals(201, given.statusCode(), given::bodyAsString);
    assertEquals("resident", given.bodyAsJsonObject().getString("role"));
    assertEquals(carer.id(), f.rows("select author_id from feedback where request_id = $1", UUID.fromString(id))
        .get(0).getUUID(0));
  }
}
