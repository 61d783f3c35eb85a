package nl.omzien.http;

import static nl.omzien.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.matching.MatchFixture;
import nl.omzien.matching.MatchFixture.Person;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("Idempotency-Key on the create operations without a key column of their own: cared-for, organisation, venue")
@ExtendWith(BlockedThreadWatch.class)
class IdempotencyKeyTest {
  private static TestApp app;
  private static MatchFixture f;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("idempotency", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    f = new MatchFixture(app);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body, String key) {
    var request = app.client().request(HttpMethod.POST, path).bearerTokenAuthentication(token);
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return request.sendJsonObject(body);
  }

  private static HttpResponse<Buffer> postNow(String path, String token, JsonObject body, String key)
      throws Exception {
    return post(path, token, body, key).await(20, TimeUnit.SECONDS);
  }

  private static JsonObject mother() {
    return new JsonObject().put("displayName", "Mies Bakker").put("relationship", "parent")
        .put("home", new JsonObject().put("address", "Tigrisdreef 14, 3561 Utrecht")
            .put("location", MatchFixture.point(MatchFixture.LAT, MatchFixture.LON)));
  }

  private static JsonObject organisation(String name) {
    return new JsonObject().put("name", name).put("kind", "buurtcentrum");
  }

  private static JsonObject venue(String name) {
    return new JsonObject().put("name", name).put("lat", 52.116426).put("lon", 5.101547);
  }

  private static String key() {
    return "retry-" + UUID.randomUUID();
  }

  @Test
  @DisplayName("a carer's retried registration answers the same person with 200 and registers nobody twice")
  void caredForRetry() throws Exception {
    Person carer = f.resident("Karin", 1);
    String key = key();
    HttpResponse<Buffer> first = postNow("/v1/me/cared-for", carer.token(), mother(), key);
    HttpResponse<Buffer> again = postNow("/v1/me/cared-for", carer.token(), mother(), key);
    assertEquals(201, first.statusCode(), first::bodyAsString);
    assertEquals(200, again.statusCode(), again::bodyAsString);
    app.assertMatchesContract("createCaredFor", again);
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
    assertEquals(1, f.count("select count(*) from care_relation where carer_id = $1", carer.id()));

    HttpResponse<Buffer> otherKey = postNow("/v1/me/cared-for", carer.token(), mother(), key());
    assertEquals(201, otherKey.statusCode(), "a new key is a new registration");
    HttpResponse<Buffer> noKey = postNow("/v1/me/cared-for", carer.token(), mother(), null);
    assertEquals(201, noKey.statusCode(), "without a key every POST creates");
    assertEquals(3, f.count("select count(*) from care_relation where carer_id = $1", carer.id()));

    Person stranger = f.resident("Henk", 1);
    HttpResponse<Buffer> strangersUse = postNow("/v1/me/cared-for", stranger.token(), mother(), key);
    assertEquals(201, strangersUse.statusCode(), "keys are per caller: someone else's key never answers their data");
    assertEquals(1, f.count("select count(*) from care_relation where carer_id = $1", stranger.id()));
  }

  @Test
  @DisplayName("ten concurrent retries with one key: one person registered, all ten answers name that person")
  void caredForConcurrentRetries() throws Exception {
    Person carer = f.resident("Ans", 1);
    String key = key();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(post("/v1/me/cared-for", carer.token(), mother(), key));
    }
    Future.all(sent).await(30, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (Future<HttpResponse<Buffer>> one : sent) {
      HttpResponse<Buffer> response = one.result();
      assertTrue(Set.of(200, 201).contains(response.statusCode()), response::bodyAsString);
      created += response.statusCode() == 201 ? 1 : 0;
      ids.add(response.bodyAsJsonObject().getString("userId"));
    }
    assertEquals(1, created);
    assertEquals(1, ids.size());
    assertEquals(1, f.count("select count(*) from care_relation where carer_id = $1", carer.id()));
    assertEquals(1, f.count("select count(*) from app_user where id = $1", UUID.fromString(ids.iterator().next())));
  }

  @Test
  @DisplayName("a key whose person was erased since cannot answer as before: 409 idempotency-key-reused, nothing written")
  void erasedSince() throws Exception {
    Person carer = f.resident("Joke", 1);
    String key = key();
    HttpResponse<Buffer> first = postNow("/v1/me/cared-for", carer.token(), mother(), key);
    assertEquals(201, first.statusCode(), first::bodyAsString);
    f.sql("update app_user set deleted_at = now() where id = $1",
        UUID.fromString(first.bodyAsJsonObject().getString("userId")));
    long people = f.count("select count(*) from app_user");
    HttpResponse<Buffer> again = postNow("/v1/me/cared-for", carer.token(), mother(), key);
    assertEquals("idempotency-key-reused", assertProblem(again, 409, "conflict").getString("code"));
    app.assertMatchesContract("createCaredFor", again);
    assertEquals(people, f.count("select count(*) from app_user"));
  }

  @Test
  @DisplayName("an admin's retried organisation and an organiser's retried venue answer the first with 200")
  void organisationAndVenue() throws Exception {
    String admin = app.token(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of());
    String key = key();
    String name = "Buurtcentrum " + UUID.randomUUID();
    HttpResponse<Buffer> first = postNow("/v1/organisations", admin, organisation(name), key);
    HttpResponse<Buffer> again = postNow("/v1/organisations", admin, organisation(name), key);
    assertEquals(201, first.statusCode(), first::bodyAsString);
    assertEquals(200, again.statusCode(), again::bodyAsString);
    app.assertMatchesContract("createOrganisation", again);
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
    assertEquals(1, f.count("select count(*) from organisation where name = $1", name));
    String otherAdmin = app.token(UUID.randomUUID(), Set.of(Role.ADMIN), Set.of());
    assertEquals(201, postNow("/v1/organisations", otherAdmin, organisation(name), key).statusCode());

    UUID organisationId = UUID.fromString(first.bodyAsJsonObject().getString("organisationId"));
    UUID secondOrganisation = UUID.fromString(
        postNow("/v1/organisations", admin, organisation(name + " 2"), null).bodyAsJsonObject()
            .getString("organisationId"));
    UUID organiserId = UUID.randomUUID();
    String organiser = app.token(organiserId, Set.of(Role.ORGANISER), Set.of());
    for (UUID org : List.of(organisationId, secondOrganisation)) {
      HttpResponse<Buffer> member = app.client()
          .request(HttpMethod.PUT, "/v1/organisations/" + org + "/members/" + organiserId)
          .bearerTokenAuthentication(admin).send().await(20, TimeUnit.SECONDS);
      assertEquals(204, member.statusCode(), member::bodyAsString);
    }
    String venueKey = key();
    String venues = "/v1/organisations/" + organisationId + "/venues";
    HttpResponse<Buffer> venue = postNow(venues, organiser, venue("Grote zaal"), venueKey);
    HttpResponse<Buffer> venueAgain = postNow(venues, organiser, venue("Grote zaal"), venueKey);
    assertEquals(201, venue.statusCode(), venue::bodyAsString);
    assertEquals(200, venueAgain.statusCode(), venueAgain::bodyAsString);
    app.assertMatchesContract("createVenue", venueAgain);
    assertEquals(venue.bodyAsJsonObject(), venueAgain.bodyAsJsonObject());
    assertEquals(1, f.count("select count(*) from venue where organisation_id = $1", organisationId));

    HttpResponse<Buffer> elsewhere = postNow("/v1/organisations/" + secondOrganisation + "/venues", organiser,
        venue("Grote zaal"), venueKey);
    assertEquals(201, elsewhere.statusCode(), "a key is scoped to its organisation: another one gets its own venue");
    assertEquals(1, f.count("select count(*) from venue where organisation_id = $1", secondOrganisation));
  }
}
