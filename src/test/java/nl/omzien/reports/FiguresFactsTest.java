package nl.omzien.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.auth.Role;
import nl.omzien.generator.GenerateCommand;
import nl.omzien.generator.HistoryGenerator;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.Json;
import nl.omzien.matching.MatchFixture;
import nl.omzien.matching.MatchFixture.Person;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fact tables (migration V10) against the oracle: every figure computed from {@code figures_request} and
 * {@code figures_decline} must equal, exactly (same rows, same doubles), the one computed by the statements over the
 * raw tables ({@link RawFiguresSql}), on a generated year of a city and after live changes through the API (and a
 * few by hand in SQL); and the facts must equal their definition (the {@code figures_*_source} views) row for row.
 */
@DisplayName("Figures from the fact tables")
@ExtendWith(BlockedThreadWatch.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FiguresFactsTest {
  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();
  private static final List<String> ALL = AREAS.wijken().stream().map(AreaIndex.Wijk::code).toList();
  private static final LocalDate TODAY = LocalDate.now(FiguresQuery.ZONE);

  private static TestApp app;
  private static MatchFixture f;
  private static FiguresStore raw;
  private static FiguresStore facts;
  private static FiguresService rawService;
  private static FiguresService factsService;
  private static String wijk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("figuresfacts", Map.of("OMZIEN_MATCH_TICK_MS", "0"));
    try (Connection connection = GenerateCommand.connect(app.app().database().target())) {
      HistoryGenerator.generate(connection, AREAS,
          // History up to yesterday, as the generator's default: with today it held requests made later today, and
          // liveChanges' "newest visit" of a regular could be one of those (it failed in the evening).
          new HistoryGenerator.Options(HistoryGenerator.Scale.CITY, 42, TODAY.minusDays(1)));
    }
    // The generator's 4,000 volunteers arrive as one burst of notifications; read them at once instead.
    app.app().matcher().volunteers().reload().await(60, TimeUnit.SECONDS);
    f = MatchFixture.on(app);
    raw = new FiguresStore(app.app().database().pool(), RawFiguresSql.RAW);
    facts = new FiguresStore(app.app().database().pool());
    rawService = new FiguresService(raw, AREAS, Clock.systemUTC());
    factsService = new FiguresService(facts, AREAS, Clock.systemUTC());
    wijk = AREAS.buurtAt(MatchFixture.LAT, MatchFixture.LON).orElseThrow().wijkCode();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(120, TimeUnit.SECONDS);
  }

  /**
   * A query as the service builds it; {@code now} is 90 days after the period, so every request's sign-up window
   * has closed and the follow-up figure covers all of them (today's too).
   */
  private static FiguresQuery query(LocalDate from, LocalDate to, String kind, List<String> wijken) {
    Instant now = to.plusDays(90).atStartOfDay(FiguresQuery.ZONE).toInstant();
    return new FiguresQuery(from, to, Optional.ofNullable(kind), wijken, TODAY, now);
  }

  private static FiguresQuery year(String kind, List<String> wijken) {
    return query(TODAY.minusYears(1).plusDays(1), TODAY, kind, wijken);
  }

  /** Every statement and the whole service answer, both ways. */
  private static void assertSameFigures(FiguresQuery q) throws Exception {
    String label = q.from() + ".." + q.to() + " " + q.kind().orElse("all") + " " + q.wijken();
    await(facts.flush(true));
    assertEquals(await(raw.requests(q)), await(facts.requests(q)), "requests " + label);
    assertEquals(await(raw.volunteers(q)), await(facts.volunteers(q)), "volunteers " + label);
    FiguresStore.Offers rawOffers = await(raw.offers(q));
    FiguresStore.Offers factOffers = await(facts.offers(q));
    assertEquals(rawOffers.totals(), factOffers.totals(), "offers " + label);
    assertEquals(rawOffers.reasons(), factOffers.reasons(), "decline reasons " + label);
    assertEquals(await(raw.continuity(q)), await(facts.continuity(q)), "continuity " + label);
    assertEquals(await(raw.feedback(q)), await(facts.feedback(q)), "feedback " + label);
    for (int days : new int[] {FiguresService.FOLLOW_UP_DAYS, 7}) {
      assertEquals(await(raw.followUp(q, days)), await(facts.followUp(q, days)), "follow-up " + days + " " + label);
    }
    for (String interval : List.of("week", "month")) {
      assertEquals(await(raw.series(q, interval)), await(facts.series(q, interval)), interval + " series " + label);
    }
    assertEquals(await(rawService.figures(q)), await(factsService.figures(q)), "the figures answer " + label);
  }

  /** The facts equal their definition, row for row: nothing was missed and nothing is stale. */
  private static void assertFactsCurrent() throws Exception {
    await(facts.flush(true));
    for (String table : List.of("figures_request", "figures_decline")) {
      String source = table + "_source";
      String columns = table.equals("figures_decline") ? "request_id, reason, declined" : "*";
      String differences = """
          select count(*) from ((select %1$s from %2$s except all select %1$s from %3$s)
                                union all
                                (select %1$s from %3$s except all select %1$s from %2$s)) d
          """.formatted(columns, table, source);
      assertEquals(0, f.count(differences), table + " differs from " + source);
    }
    assertEquals(0, f.count("""
        select count(*) from figures_decline d join help_request r on r.id = d.request_id
         where (d.wijk_code, d.kind, d.created_at) is distinct from (r.wijk_code, r.kind, r.created_at)
        """), "the decline rows carry their request's wijk, kind and time");
  }

  @Test
  @Order(1)
  @DisplayName("on a generated year of a city, every figure equals the one computed from the raw tables")
  void generatedHistory() throws Exception {
    assertTrue(f.count("select count(*) from figures_request") > 35_000, "the generator's COPY reached the facts");
    assertFactsCurrent();
    List<String> two = List.of(ALL.get(2), ALL.get(6));
    assertSameFigures(year(null, ALL));
    assertSameFigures(year(null, List.of(ALL.get(2))));
    for (String kind : List.of("transport", "companionship", "respite")) {
      assertSameFigures(year(kind, two));
    }
    LocalDate march = LocalDate.of(TODAY.getYear(), 3, 1);
    if (march.plusDays(40).isAfter(TODAY)) {
      march = march.minusYears(1);
    }
    // Across the switch to summer time (last Sunday of March), and a single day.
    assertSameFigures(query(march.plusDays(20), march.plusDays(40), null, ALL));
    assertSameFigures(query(TODAY.minusDays(100), TODAY.minusDays(100), null, ALL));
  }

  @Test
  @Order(2)
  @DisplayName("after live changes (ask, decline, accept, complete, feedback, cancel, escalate, refer, sign up, "
      + "hand-written SQL, erasure) the facts are current and every figure still equals the raw one")
  void liveChanges() throws Exception {
    Person anna = f.volunteer("Anna", 0.1, MatchFixture.profile());
    Person bram = f.volunteer("Bram", 0.2, MatchFixture.profile());
    Person ria = f.resident("Ria", 0);
    Person kees = f.resident("Kees", 0.1);

    // A ride: one offer declined with a code, one with free text, then accepted.
    String ride = f.ask(ria, MatchFixture.ride(0)).getString("id");
    List<Offer> offers = pending(ride);
    assertFalse(offers.isEmpty(), "the ride was offered");
    for (int i = 0; i < offers.size() - 1 && i < 2; i++) {
      ok(f.send("POST", "/v1/offers/" + offers.get(i).id() + "/decline", offers.get(i).token(),
          new JsonObject().put("reason", i == 0 ? "no_time" : "Ik ben op vakantie")));
    }
    acceptAny(ride);
    // A ride that has started: accepted, completed with hours, rated by the resident.
    String started = f.ask(ria, MatchFixture.ride(0, MatchFixture.window(-0.5, 3))).getString("id");
    Offer driver = acceptAny(started);
    ok(f.send("POST", "/v1/requests/" + started + "/complete", driver.token(), new JsonObject().put("hoursSpent", 2.5)));
    ok(f.send("POST", "/v1/requests/" + started + "/feedback", ria.token(),
        new JsonObject().put("rating", 4).put("comment", "Prima")));
    // Two visits for Kees by the same volunteer when possible (continuity), one cancelled ride.
    Offer first = acceptAny(f.ask(kees, MatchFixture.visit("nl")).getString("id"));
    String second = f.ask(kees, MatchFixture.visit("nl")).getString("id");
    Optional<Offer> same = pending(second).stream().filter(o -> o.volunteer().equals(first.volunteer())).findFirst();
    if (same.isPresent()) {
      ok(f.send("POST", "/v1/offers/" + same.get().id() + "/accept", same.get().token(), null));
    } else {
      acceptAny(second);
    }
    String cancelled = f.ask(kees, MatchFixture.ride(0.1)).getString("id");
    ok(f.send("POST", "/v1/requests/" + cancelled + "/cancel", kees.token(), new JsonObject().put("reason", "Toch niet")));
    assertFactsCurrent();
    assertSameFigures(year(null, ALL));

    // The resident declines the match; a respite request runs out of rounds and is escalated, then referred.
    String declinedMatch = f.ask(ria, MatchFixture.ride(0.1)).getString("id");
    acceptAny(declinedMatch);
    ok(f.send("POST", "/v1/requests/" + declinedMatch + "/match/decline", ria.token(),
        new JsonObject().put("reason", "Ik ken deze persoon")));
    String respite = f.ask(kees, MatchFixture.respite()).getString("id");
    for (int round = 0; round < 8 && !f.status(respite).equals("escalated"); round++) {
      f.roundTimePasses(respite);
    }
    assertEquals("escalated", f.status(respite));
    ok(f.send("POST", "/v1/ambassador/requests/" + respite + "/refer", f.ambassador(wijk).token(),
        new JsonObject().put("reason", "Te zware zorgvraag")));
    assertFactsCurrent();
    assertSameFigures(year(null, ALL));
    assertSameFigures(year("respite", List.of(wijk)));

    // A resident with a year of history asks for company again and signs up for an activity (continuity and
    // follow-up of their earlier requests); Kees signs up, then cancels.
    // From the generated history only (it ends before today): in daytime the visits this test asked for above are
    // matched too, and their resident, whose newest visits are the test's own, is no regular.
    UUID regular = f.rows("""
        select resident_id from help_request
         where kind = 'companionship' and parent_id is null and matched_at is not null and volunteer_id is not null
           and created_at > now() - interval '50 days' and created_at < $1
         order by created_at desc, id limit 1
        """, TODAY.atStartOfDay(FiguresQuery.ZONE).toOffsetDateTime()).get(0).getUUID(0);
    Person old = new Person(regular, app.token(regular, Set.of(Role.RESIDENT), Set.of()));
    // A weekday afternoon: the generated volunteers are free in daytime slots, so a window relative to now (as
    // MatchFixture.visit has) finds nobody when the test runs at night.
    acceptAny(f.ask(old, MatchFixture.visit("nl").put("timeWindows", tuesdayAfternoon())).getString("id"));
    signUp(old);
    String keesSignup = signUp(kees);
    ok(f.send("DELETE", "/v1/signups/" + keesSignup, kees.token(), null));
    assertFactsCurrent();
    assertSameFigures(year(null, ALL));
    assertSameFigures(year("companionship", ALL));

    // Changes no API makes, by hand: a reason rewritten, an escalation recorded late, a rating changed and one
    // removed, a request moved to another wijk.
    f.sql("""
        update offer set decline_reason = 'too_far'
         where id in (select id from offer where status = 'declined' order by id limit 50)
        """);
    f.sql("""
        insert into help_request_history (request_id, at, from_status, to_status)
        select id, created_at + interval '3 days', 'offered', 'escalated' from help_request
         where status = 'completed' order by id limit 20
        """);
    f.sql("update feedback set rating = 6 - rating where request_id in (select request_id from feedback order by 1 limit 30)");
    f.sql("delete from feedback where request_id in (select request_id from feedback order by 1 desc limit 30)");
    f.sql("update help_request set wijk_code = $1 where id in (select id from help_request order by id limit 10)",
        ALL.get(0));
    // The regular's newest visit reads whether their previous one had the same volunteer (repeat_same). Each step
    // below flips that for the newest visit by changing, or entering, an earlier visit only.
    String visits = """
        select id, volunteer_id from help_request
         where resident_id = $1 and kind = 'companionship' and parent_id is null and matched_at is not null
           and volunteer_id is not null
         order by created_at desc, id desc
        """;
    List<Row> regularVisits = f.rows(visits, regular);
    UUID newest = regularVisits.get(0).getUUID("id");
    UUID newestVolunteer = regularVisits.get(0).getUUID("volunteer_id");
    UUID otherVolunteer = f.rows("select volunteer_id from help_request where volunteer_id <> $1 order by id limit 1",
        newestVolunteer).get(0).getUUID(0);
    String byHand = "update help_request set volunteer_id = $2 where id = $1";
    f.sql(byHand, regularVisits.get(1).getUUID("id"), otherVolunteer);
    assertFactsCurrent();
    UUID entered = UUID.randomUUID();
    f.sql("""
        insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, buurt_code,
                                  wijk_code, first_starts_at, created_at, matched_at, volunteer_id)
        select $2, resident_id, created_by, kind, 'completed', urgency, details, lat, lon, buurt_code, wijk_code,
               first_starts_at - interval '1 hour', created_at - interval '1 hour', created_at - interval '1 hour',
               volunteer_id
          from help_request where id = $1
        """, newest, entered);
    List<Row> after = f.rows(visits, regular);
    assertEquals(List.of(entered, newest), List.of(after.get(1).getUUID(0), after.get(0).getUUID(0)),
        "the entered visit is the one before the newest");
    assertFactsCurrent();
    f.sql(byHand, entered, otherVolunteer);
    assertFactsCurrent();
    assertSameFigures(year(null, ALL));

    // Erasure (AVG/GDPR): the resident's and a volunteer's accounts go; the figures keep counting their requests.
    long before = f.count("select count(*) from figures_request");
    assertEquals(204, f.send("DELETE", "/v1/me", ria.token(), null).statusCode());
    assertEquals(204, f.send("DELETE", "/v1/me", anna.token(), null).statusCode());
    assertEquals(204, f.send("DELETE", "/v1/me", bram.token(), null).statusCode());
    assertEquals(before, f.count("select count(*) from figures_request"), "erasure keeps every request's facts");
    assertFactsCurrent();
    assertSameFigures(year(null, ALL));
    assertSameFigures(query(TODAY, TODAY, null, List.of(wijk)));
  }

  private record Offer(UUID id, UUID volunteer, String token) {
  }

  private static List<Offer> pending(String request) throws Exception {
    List<Offer> offers = new ArrayList<>();
    for (Row row : f.rows("select id, volunteer_id from offer where request_id = $1 and status = 'pending'"
        + " order by created_at, id", UUID.fromString(request))) {
      UUID volunteer = row.getUUID("volunteer_id");
      offers.add(new Offer(row.getUUID("id"), volunteer, app.token(volunteer, Set.of(Role.VOLUNTEER), Set.of())));
    }
    return offers;
  }

  /** The last pending offer of a request accepts it. */
  private static Offer acceptAny(String request) throws Exception {
    List<Offer> offers = pending(request);
    assertFalse(offers.isEmpty(), "request " + request + " has a pending offer");
    Offer offer = offers.get(offers.size() - 1);
    ok(f.send("POST", "/v1/offers/" + offer.id() + "/accept", offer.token(), null));
    return offer;
  }

  @Test
  @Order(3)
  @DisplayName("a write only marks what it touched (no recompute in its transaction); the next figures read is exact")
  void writesMarkReadsFlush() throws Exception {
    Row request = f.rows("""
        select r.id, f.hours_spent from help_request r join figures_request f on f.request_id = r.id
         where r.status = 'completed' and r.hours_spent is not null order by r.id limit 1
        """).get(0);
    java.util.UUID id = request.getUUID("id");
    java.math.BigDecimal hours = request.getBigDecimal("hours_spent");
    io.vertx.sqlclient.Pool pool = app.app().database().pool();
    List<Long> inTransaction = pool.withTransaction(tx -> tx
            .preparedQuery("update help_request set hours_spent = hours_spent + 1.5 where id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(id))
            .compose(v -> tx.preparedQuery("""
                select (select count(*) from figures_dirty where kind = 'request' and id = $1),
                       (select count(*) from figures_request where request_id = $1 and hours_spent = $2)
                """).execute(io.vertx.sqlclient.Tuple.of(id, hours)))
            .map(rows -> List.of(rows.iterator().next().getLong(0), rows.iterator().next().getLong(1))))
        .await(30, TimeUnit.SECONDS);
    assertEquals(List.of(1L, 1L), inTransaction, "marked, and the fact row not yet recomputed");
    FiguresQuery q = year(null, ALL);
    assertEquals(await(rawService.figures(q)), await(factsService.figures(q)), "the read flushed the mark first");
    assertEquals(0, f.count("select count(*) from figures_dirty"));
    assertEquals(hours.add(new java.math.BigDecimal("1.5")),
        f.rows("select hours_spent from figures_request where request_id = $1", id).get(0).getBigDecimal(0));
  }

  @Test
  @Order(4)
  @DisplayName("a writer's mark never waits for a running flush (they deadlocked every flush under load)")
  void marksNeverWaitForFlush() throws Exception {
    java.util.UUID id = f.rows("select request_id from figures_request order by request_id limit 1").get(0).getUUID(0);
    io.vertx.sqlclient.Pool pool = app.app().database().pool();
    io.vertx.sqlclient.Tuple ids = io.vertx.sqlclient.Tuple.of(new java.util.UUID[] {id});
    // As for a request written a moment ago: marked, its fact row not made yet (making it checks the foreign key).
    pool.preparedQuery("delete from figures_request where request_id = $1").execute(io.vertx.sqlclient.Tuple.of(id))
        .await(30, TimeUnit.SECONDS);
    pool.preparedQuery("select figures_mark($1)").execute(ids).await(30, TimeUnit.SECONDS);
    io.vertx.sqlclient.SqlConnection writer = pool.getConnection().await(30, TimeUnit.SECONDS);
    io.vertx.sqlclient.SqlConnection flusher = pool.getConnection().await(30, TimeUnit.SECONDS);
    try {
      // The writer holds its request as strongly as any write path may (a matching round, a lifecycle change).
      io.vertx.sqlclient.Transaction writing = writer.begin().await(30, TimeUnit.SECONDS);
      writer.preparedQuery("select id from help_request where id = $1 for update").execute(io.vertx.sqlclient.Tuple.of(id))
          .await(30, TimeUnit.SECONDS);
      // A flush takes the committed mark and then needs the request row (its fact row's foreign key): it waits.
      io.vertx.sqlclient.Transaction flushing = flusher.begin().await(30, TimeUnit.SECONDS);
      io.vertx.core.Future<?> flush = flusher.query("select figures_flush(true)").execute();
      Thread.sleep(300);
      assertTrue(!flush.isComplete(), "the flush waits for the writer's row lock");
      // The writer marks the request again: no waiting on the flush's taken mark, so no deadlock.
      long started = System.nanoTime();
      writer.preparedQuery("select figures_mark($1)").execute(ids).await(5, TimeUnit.SECONDS);
      assertTrue(System.nanoTime() - started < 500_000_000L, "the mark did not wait");
      writing.commit().await(30, TimeUnit.SECONDS);
      flush.await(30, TimeUnit.SECONDS);
      flushing.commit().await(30, TimeUnit.SECONDS);
    } finally {
      writer.close();
      flusher.close();
    }
    assertEquals(1, f.count("select count(*) from figures_dirty"), "the writer's new mark waits for the next flush");
    FiguresQuery q = year(null, ALL);
    assertEquals(await(rawService.figures(q)), await(factsService.figures(q)));
    assertEquals(0, f.count("select count(*) from figures_dirty"));
  }

  /** 14:00-17:00 Utrecht time on the first Tuesday at least four days ahead. */
  private static JsonArray tuesdayAfternoon() {
    java.time.ZonedDateTime start = TODAY.plusDays(4).with(TemporalAdjusters.nextOrSame(DayOfWeek.TUESDAY))
        .atTime(14, 0).atZone(FiguresQuery.ZONE);
    return new JsonArray().add(new JsonObject()
        .put("start", Json.dateTime(start.toOffsetDateTime()))
        .put("end", Json.dateTime(start.plusHours(3).toOffsetDateTime())));
  }

  /** Signs a person up for the next session of an active weekly activity with a free seat; the sign-up's id. */
  private static String signUp(Person person) throws Exception {
    for (Row activity : f.rows("""
        select id, day_of_week from activity
         where status = 'active' and schedule_kind = 'weekly'
           and (last_date is null or last_date > current_date + 14)
         order by id
        """)) {
      LocalDate date = TODAY.plusDays(1)
          .with(TemporalAdjusters.nextOrSame(DayOfWeek.of(activity.getInteger("day_of_week"))));
      HttpResponse<Buffer> response = f.send("POST", "/v1/activities/" + activity.getUUID("id") + "/signups",
          person.token(), new JsonObject().put("date", date.toString()));
      if (response.statusCode() == 201) {
        return response.bodyAsJsonObject().getString("signupId");
      }
    }
    throw new AssertionError("no activity had a free seat");
  }

  /** 200, or 201 where something was created. */
  private static void ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response::bodyAsString);
  }
}
