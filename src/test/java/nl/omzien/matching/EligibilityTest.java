package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import nl.omzien.geo.Distances;
import nl.omzien.geo.PointIndex;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Eligibility rules, one by one, and the index against a brute-force scan")
class EligibilityTest {
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");
  private static final double LAT = 52.09;
  private static final double LON = 5.12;
  /** Tuesday 1 December 2026, 10:00-13:00 Amsterdam time. */
  private static final OffsetDateTime START = OffsetDateTime.of(2026, 12, 1, 10, 0, 0, 0,
      AMSTERDAM.getRules().getOffset(java.time.LocalDateTime.of(2026, 12, 1, 10, 0)));
  private static final Period VOG_VALIDITY = Period.ofMonths(36);
  private static final int[] ALL_WEEK = {0, WeekMinutes.WEEK};

  static HelpRequest request(String kind, JsonObject details) {
    return new HelpRequest(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), kind, RequestStatus.OPEN, "normal",
        details, null, LAT, LON, "WK034401", "BU03440101",
        List.of(new HelpRequest.Window(START, START.plusHours(3))), START, START, null, 0, null, null);
  }

  static HelpRequest ride(String... mobility) {
    return request("transport", new JsonObject().put("mobility", new JsonArray(List.of(mobility)))
        .put("appointmentAt", START.plusHours(1).toString()));
  }

  static VolunteerCard card(double kmEast, double travelKm, int transport, Set<String> skills, Set<String> languages,
                            LocalDate vog, boolean paused, int[] slots) {
    return new VolunteerCard(UUID.randomUUID(), 1, LAT, LON + kmEast * 0.0147, travelKm * 1000, transport, skills,
        languages, vog, 3, paused, slots, 1);
  }

  static VolunteerCard driver() {
    return card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false, ALL_WEEK);
  }

  static CandidateQuery query(HelpRequest request) {
    return CandidateQuery.of(request, 5_000, VOG_VALIDITY);
  }

  @Nested
  @DisplayName("one rule at a time")
  class Rules {
    @Test
    @DisplayName("a driver 1 km away, free all week, is eligible for a ride")
    void baseline() {
      assertTrue(query(ride()).eligible(driver()));
      assertNull(query(ride()).whyNot(driver(), 1_000));
    }

    @Test
    @DisplayName("paused volunteers are not asked")
    void paused() {
      VolunteerCard paused = card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, true, ALL_WEEK);
      assertFalse(query(ride()).eligible(paused));
      assertEquals("paused", query(ride()).whyNot(paused, 1_000));
    }

    @Test
    @DisplayName("a ride needs a car; a wheelchair needs a wheelchair-accessible car")
    void transport() {
      VolunteerCard bike = card(1, 10, VolunteerCard.BIKE, Set.of(), Set.of("nl"), null, false, ALL_WEEK);
      assertFalse(query(ride()).eligible(bike));
      assertFalse(query(ride("wheelchair")).eligible(driver()));
      VolunteerCard adapted = card(1, 10, VolunteerCard.transportBits(List.of("wheelchair_car")), Set.of(),
          Set.of("nl"), null, false, ALL_WEEK);
      assertTrue(query(ride("wheelchair")).eligible(adapted));
      assertTrue(query(ride()).eligible(adapted), "a wheelchair-accessible car is a car");
    }

    @Test
    @DisplayName("the request must lie within the volunteer's own travel distance")
    void travelDistance() {
      VolunteerCard homebody = card(3, 2, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false, ALL_WEEK);
      assertFalse(query(ride()).eligible(homebody));
      assertEquals("travel_distance", query(ride()).whyNot(homebody, 3_000));
    }

    @Test
    @DisplayName("respite needs a VOG valid on the task date: none, expired or issued after the date are out")
    void vog() {
      HelpRequest respite = request("respite", new JsonObject().put("durationMinutes", 120)
          .put("needs", new JsonArray().add("dementia")).put("requiredExperience", new JsonArray()));
      LocalDate taskDate = START.toLocalDate();
      assertFalse(query(respite).eligible(withVog(null)));
      assertEquals("vog", query(respite).whyNot(withVog(null), 1_000));
      assertTrue(query(respite).eligible(withVog(taskDate.minusYears(1))));
      assertTrue(query(respite).eligible(withVog(taskDate.minusMonths(36))), "valid on its last day");
      assertFalse(query(respite).eligible(withVog(taskDate.minusMonths(36).minusDays(1))), "expired");
      assertFalse(query(respite).eligible(withVog(taskDate.plusDays(1))), "not issued yet on the task date");
      assertTrue(query(ride()).eligible(withVog(null)), "a ride needs no VOG");
    }

    private VolunteerCard withVog(LocalDate vog) {
      return card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), vog, false, ALL_WEEK);
    }

    @Test
    @DisplayName("respite needs the experience it asks for")
    void experience() {
      HelpRequest respite = request("respite", new JsonObject().put("durationMinutes", 120)
          .put("needs", new JsonArray()).put("requiredExperience", new JsonArray().add("dementia_experience")));
      LocalDate vog = START.toLocalDate().minusYears(1);
      VolunteerCard without = card(1, 10, 0, Set.of("first_aid"), Set.of("nl"), vog, false, ALL_WEEK);
      VolunteerCard with = card(1, 10, 0, Set.of("dementia_experience"), Set.of("nl"), vog, false, ALL_WEEK);
      assertFalse(query(respite).eligible(without));
      assertEquals("experience", query(respite).whyNot(without, 1_000));
      assertTrue(query(respite).eligible(with));
    }

    @Test
    @DisplayName("companionship needs a shared language (any of those asked)")
    void language() {
      HelpRequest visit = request("companionship", new JsonObject().put("activity", "visit")
          .put("languages", new JsonArray().add("tr").add("ar")));
      VolunteerCard dutch = card(1, 10, 0, Set.of(), Set.of("nl"), null, false, ALL_WEEK);
      VolunteerCard arabic = card(1, 10, 0, Set.of(), Set.of("nl", "ar"), null, false, ALL_WEEK);
      assertFalse(query(visit).eligible(dutch));
      assertEquals("language", query(visit).whyNot(dutch, 1_000));
      assertTrue(query(visit).eligible(arabic));
    }

    @Test
    @DisplayName("the volunteer must be free long enough in a window (local time, Europe/Amsterdam)")
    void availability() {
      int tuesday10 = WeekMinutes.of(2, 10 * 60);
      VolunteerCard tuesdayMorning = card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false,
          new int[] {tuesday10, tuesday10 + 180});
      VolunteerCard mondays = card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false,
          new int[] {WeekMinutes.of(1, 0), WeekMinutes.of(1, 1439)});
      VolunteerCard halfHour = card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false,
          new int[] {tuesday10, tuesday10 + 30});
      assertTrue(query(ride()).eligible(tuesdayMorning));
      assertFalse(query(ride()).eligible(mondays));
      assertEquals("availability", query(ride()).whyNot(mondays, 1_000));
      assertFalse(query(ride()).eligible(halfHour), "a ride needs up to two hours of the window");
    }

    @Test
    @DisplayName("free time runs across midnight and across Sunday night: daily slots until 23:59 join up")
    void acrossMidnight() {
      int[] everyDay = new int[14];
      for (int day = 1; day <= 7; day++) {
        everyDay[2 * (day - 1)] = WeekMinutes.of(day, 0);
        everyDay[2 * (day - 1) + 1] = WeekMinutes.of(day, 23 * 60 + 59);
      }
      VolunteerCard always = card(1, 10, VolunteerCard.CAR, Set.of(), Set.of("nl"), null, false, everyDay);
      for (int day : new int[] {2, 7}) {
        // 22:30 until 01:30 the next day (Sunday into Monday for day 7): three hours, needs two.
        java.time.LocalDate date = START.toLocalDate().with(java.time.temporal.TemporalAdjusters.nextOrSame(
            java.time.DayOfWeek.of(day)));
        OffsetDateTime late = date.atTime(22, 30).atZone(AMSTERDAM).toOffsetDateTime();
        HelpRequest night = new HelpRequest(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "transport",
            RequestStatus.OPEN, "normal", new JsonObject().put("mobility", new JsonArray()), null, LAT, LON, null,
            null, List.of(new HelpRequest.Window(late, late.plusHours(3))), START, START, null, 0, null, null);
        assertTrue(query(night).eligible(always), "day " + day);
      }
    }

    @Test
    @DisplayName("a weekly visit needs the volunteer free at that weekly time")
    void recurringAvailability() {
      HelpRequest weekly = request("companionship", new JsonObject().put("activity", "visit")
          .put("recurrence", new JsonObject().put("dayOfWeek", 4).put("startTime", "14:00").put("endTime", "16:00")));
      VolunteerCard thursdays = card(1, 10, 0, Set.of(), Set.of("nl"), null, false,
          new int[] {WeekMinutes.of(4, 13 * 60), WeekMinutes.of(4, 17 * 60)});
      VolunteerCard tuesdays = card(1, 10, 0, Set.of(), Set.of("nl"), null, false,
          new int[] {WeekMinutes.of(2, 9 * 60), WeekMinutes.of(2, 17 * 60)});
      assertTrue(query(weekly).eligible(thursdays));
      assertFalse(query(weekly).eligible(tuesdays));
    }
  }

  @Test
  @DisplayName("score: nearer, fairer, a known face and fitting skills rank higher; weights are configuration")
  void scoring() {
    MatchConfig config = MatchConfig.defaults();
    CandidateQuery q = query(ride("needs_arm"));
    VolunteerCard v = driver();
    Score near = Score.of(config, q, v, 500, false, 0);
    Score far = Score.of(config, q, v, 4_500, false, 0);
    Score busy = Score.of(config, q, v, 500, false, 8);
    Score known = Score.of(config, q, v, 500, true, 0);
    assertTrue(near.total() > far.total());
    assertTrue(near.total() > busy.total());
    assertTrue(known.total() > near.total());
    VolunteerCard skilled = card(1, 10, VolunteerCard.CAR, Set.of("mobility_support"), Set.of("nl"), null, false,
        ALL_WEEK);
    assertTrue(Score.of(config, q, skilled, 500, false, 0).total() > near.total());
    MatchConfig distanceOnly = MatchConfig.from(java.util.Map.of("OMZIEN_MATCH_WEIGHTS", "distance=1"));
    assertEquals(0.9, Score.of(distanceOnly, q, v, 500, true, 0).total(), 1e-9);
    assertEquals(5, near.toJson(config).getJsonObject("parts").size());
  }

  @Test
  @DisplayName("on thousands of random volunteers and queries (edges of radius and travel distance included), "
      + "the index returns exactly what a brute-force scan returns")
  void indexEqualsBruteForce() {
    SplittableRandom random = new SplittableRandom(20261123);
    List<VolunteerCard> cards = new ArrayList<>();
    List<PointIndex.Entry<VolunteerCard>> entries = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      double lat = 52.03 + random.nextDouble() * 0.11;
      double lon = 4.97 + random.nextDouble() * 0.22;
      int transport = random.nextInt(16);
      Set<String> languages = random.nextInt(5) == 0 ? Set.of("nl", "ar") : Set.of("nl");
      LocalDate vog = random.nextBoolean() ? START.toLocalDate().minusDays(random.nextInt(2_000)) : null;
      int day = 1 + random.nextInt(7);
      int from = random.nextInt(20) * 60;
      int[] slots = {WeekMinutes.of(day, from), WeekMinutes.of(day, from + 60 + random.nextInt(300))};
      VolunteerCard card = new VolunteerCard(UUID.randomUUID(), i, lat, lon, (1 + random.nextInt(15)) * 1000.0,
          transport, random.nextBoolean() ? Set.of("dementia_experience") : Set.of(), languages, vog, 3,
          random.nextInt(10) == 0, random.nextInt(4) == 0 ? ALL_WEEK : slots, 1);
      cards.add(card);
      entries.add(new PointIndex.Entry<>(i, lat, lon, card));
    }
    PointIndex<VolunteerCard> index = PointIndex.build(entries);
    List<HelpRequest> kinds = List.of(ride(), ride("wheelchair"),
        request("respite", new JsonObject().put("durationMinutes", 90).put("needs", new JsonArray())
            .put("requiredExperience", new JsonArray().add("dementia_experience"))),
        request("companionship", new JsonObject().put("activity", "visit").put("languages", new JsonArray().add("ar"))));
    for (int q = 0; q < 2_000; q++) {
      HelpRequest base = kinds.get(q % kinds.size());
      // Queries on top of a volunteer (radius and travel distance edges), or anywhere.
      VolunteerCard anchor = cards.get(random.nextInt(cards.size()));
      double lat = q % 3 == 0 ? anchor.lat() : 52.03 + random.nextDouble() * 0.11;
      double lon = q % 3 == 0 ? anchor.lon() + 0.0147 * (anchor.travelMeters() / 1000) : 4.97 + random.nextDouble() * 0.22;
      HelpRequest at = new HelpRequest(base.id(), base.residentId(), base.createdBy(), base.kind(), base.status(),
          base.urgency(), base.details(), null, lat, lon, null, null, base.windows(), START, START, null, 0, null, null);
      double radius = 1_000 + random.nextInt(9_000);
      CandidateQuery query = CandidateQuery.of(at, radius, VOG_VALIDITY);
      int k = 1 + random.nextInt(15);
      List<UUID> fromIndex = index.nearest(lat, lon, k, radius, query::eligible).stream()
          .map(h -> h.payload().id()).toList();
      List<UUID> brute = cards.stream()
          .filter(c -> Distances.haversineMeters(lat, lon, c.lat(), c.lon()) <= radius && query.eligible(c))
          .sorted(Comparator.comparingDouble((VolunteerCard c) -> Distances.haversineMeters(lat, lon, c.lat(), c.lon()))
              .thenComparingLong(VolunteerCard::seq))
          .limit(k).map(VolunteerCard::id).toList();
      assertEquals(brute, fromIndex, "query " + q);
    }
  }
}
