package nl.omzien.reports;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.geo.AreaIndex;

/**
 * A small, hand-built history written straight into the tables (the matching engine is not needed to read
 * figures), with every expected figure worked out by hand in {@link FiguresTest}. March 2026 is the period.
 *
 * <h2>Overvecht (A)</h2>
 * Ten requests on 2-11 March: 1-4 companionship, 5-10 transport, each from a different resident. Requests 1-8 got a
 * first offer after 10, 20, ..., 80 minutes; 1-7 were matched after 100, 200, ..., 700 minutes, by V1, V2, V3, V4,
 * V5, V1 (all living in A) and V7 (living in Zuid). 1-6 completed with 1.5 hours each, 7 is matched, 8 escalated
 * (still waiting), 9 expired, 10 referred; 6-10 were escalated at some point. A re-match of one occurrence of
 * request 3 (a child request, 20 March) was matched by V6 and completed with 2.0 hours. Declined offers: no_time x5
 * (V8 on 1-5), too_far x2 (V9 on 6, 7), free text x1 (V9 on 8), no reason x1 (V9 on 9); filled x2 (V9 on 1, 2);
 * accepted: one per matched request and the child. Residents rated requests 1-6 with 5, 4, 5, 3, 4, 5 (a volunteer
 * rated request 1 with 1). Five more requests opened on 10-14 April are open now. Requests in February and April
 * with offers, hours and feedback lie outside the period.
 *
 * <h2>Zuid (B)</h2>
 * Six residents each had a companionship request in February, matched by their own volunteer P2..P7, and another
 * on 10-15 March, first offered after 15 and matched after 60 minutes: five by the same volunteer as in February,
 * the sixth (resident 7) by P2. Residents 2-6 signed up, 10 days after asking, for the Tuesday activity on 31 March
 * at a venue in Zuid; resident 7 cancelled a sign-up made within the window and signed up again after 90 days.
 * Activities at the venue: weekly on Tuesday all year, weekly on Thursday January-June, once on 15 March, once on
 * 2 April, and a cancelled weekly one. Two resident ratings (2 and 4).
 */
final class FiguresFixture {
  static final String A = "WK034403";
  static final String B = "WK034407";
  static final LocalDate FROM = LocalDate.of(2026, 3, 1);
  static final LocalDate TO = LocalDate.of(2026, 3, 31);

  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();

  private final Pool pool;
  final List<UUID> requestsA = new ArrayList<>();
  final List<UUID> waitingA = new ArrayList<>();

  FiguresFixture(Pool pool) {
    this.pool = pool;
  }

  static Instant at(String utc) {
    return Instant.parse(utc);
  }

  void load() {
    UUID v1 = volunteer(A);
    UUID v2 = volunteer(A);
    UUID v3 = volunteer(A);
    UUID v4 = volunteer(A);
    UUID v5 = volunteer(A);
    UUID v6 = volunteer(A);
    UUID v7 = volunteer(B);
    UUID v8 = volunteer(A);
    UUID v9 = volunteer(A);
    UUID[] matchedBy = {v1, v2, v3, v4, v5, v1, v7};
    String[] status = {"completed", "completed", "completed", "completed", "completed", "completed", "matched",
        "escalated", "expired", "referred"};
    int[] rating = {5, 4, 5, 3, 4, 5};
    for (int i = 1; i <= 10; i++) {
      Instant created = at("2026-03-%02dT09:00:00Z".formatted(i + 1));
      UUID resident = resident();
      UUID volunteer = i <= 7 ? matchedBy[i - 1] : null;
      UUID id = request(A, i <= 4 ? "companionship" : "transport", status[i - 1], created, resident,
          i <= 8 ? 10 * i : null, i <= 7 ? 100 * i : null, volunteer, i <= 6 ? 1.5 : null, null);
      requestsA.add(id);
      if (volunteer != null) {
        offer(id, volunteer, "accepted", null);
      }
      if (i >= 6) {
        history(id, created.plus(Duration.ofDays(1)), "escalated");
      }
      if (i <= 6) {
        feedback(id, "resident", rating[i - 1]);
      }
    }
    feedback(requestsA.get(0), "volunteer", 1);
    for (int i = 0; i < 5; i++) {
      offer(requestsA.get(i), v8, "declined", "no_time");
    }
    offer(requestsA.get(5), v9, "declined", "too_far");
    offer(requestsA.get(6), v9, "declined", "too_far");
    offer(requestsA.get(7), v9, "declined", "Ik ken Jan niet");
    offer(requestsA.get(8), v9, "declined", null);
    offer(requestsA.get(0), v9, "filled", null);
    offer(requestsA.get(1), v9, "filled", null);
    UUID child = request(A, "companionship", "completed", at("2026-03-20T09:00:00Z"), resident(), 5, 10, v6, 2.0,
        requestsA.get(2));
    offer(child, v6, "accepted", null);
    // Outside the period: February and April, with everything that could leak in.
    for (String when : List.of("2026-02-28T22:59:59Z", "2026-03-31T22:00:00Z")) {
      UUID outside = request(A, "transport", "completed", at(when), resident(), 5, 50, v2, 3.0, null);
      offer(outside, v2, "accepted", null);
      offer(outside, v8, "declined", "no_time");
      feedback(outside, "resident", 1);
      history(outside, at(when).plusSeconds(60), "escalated");
    }
    for (int i = 0; i < 5; i++) {
      waitingA.add(request(A, "respite", "open", at("2026-04-%02dT09:00:00Z".formatted(10 + i)), resident(), null,
          null, null, null, null));
    }
    loadZuid(v7);
  }

  private void loadZuid(UUID v7) {
    List<UUID> residents = new ArrayList<>();
    List<UUID> volunteers = new ArrayList<>();
    List<Instant> asked = new ArrayList<>();
    for (int i = 2; i <= 7; i++) {
      UUID resident = resident();
      UUID own = volunteer(B);
      residents.add(resident);
      volunteers.add(own);
      UUID before = request(B, "companionship", "completed", at("2026-02-%02dT09:00:00Z".formatted(i)), resident, 15,
          60, own, 1.0, null);
      offer(before, own, "accepted", null);
    }
    for (int i = 0; i < 6; i++) {
      Instant created = at("2026-03-%02dT09:00:00Z".formatted(10 + i));
      asked.add(created);
      UUID volunteer = i < 5 ? volunteers.get(i) : volunteers.get(0);
      UUID id = request(B, "companionship", "matched", created, residents.get(i), 15, 60, volunteer, null, null);
      offer(id, volunteer, "accepted", null);
      if (i < 2) {
        feedback(id, "resident", i == 0 ? 2 : 4);
      }
    }
    AreaIndex.Buurt buurt = buurtOf(B);
    UUID organisation = UUID.randomUUID();
    UUID venue = UUID.randomUUID();
    exec("insert into organisation (id, name, kind) values ($1, 'Buurtcentrum Test', 'buurtcentrum')",
        Tuple.of(organisation));
    exec("""
        insert into venue (id, organisation_id, name, lat, lon, wijk_code, wijk_name, buurt_code, buurt_name)
        values ($1, $2, 'Zaal', $3, $4, $5, 'Zuid', $6, $7)
        """, Tuple.of(venue, organisation, buurt.centroid().lat(), buurt.centroid().lon(), B, buurt.code(),
        buurt.name()));
    UUID tuesday = weekly(organisation, venue, 2, "2026-01-06", "2026-12-29", "active");
    weekly(organisation, venue, 4, "2026-01-01", "2026-06-30", "active");
    weekly(organisation, venue, 1, "2026-01-05", "2026-12-28", "cancelled");
    once(organisation, venue, "2026-03-15T09:00:00Z");
    once(organisation, venue, "2026-04-02T08:00:00Z");
    occurrence(tuesday, "2026-03-31", 5);
    occurrence(tuesday, "2026-03-24", 0);
    occurrence(tuesday, "2026-06-16", 1);
    for (int i = 0; i < 5; i++) {
      signup(tuesday, "2026-03-31", residents.get(i), asked.get(i).plus(Duration.ofDays(10)), "active");
    }
    signup(tuesday, "2026-03-24", residents.get(5), asked.get(5).plus(Duration.ofDays(2)), "cancelled");
    signup(tuesday, "2026-06-16", residents.get(5), asked.get(5).plus(Duration.ofDays(90)), "active");
  }

  static AreaIndex.Buurt buurtOf(String wijk) {
    return AREAS.buurten().stream().filter(b -> b.wijkCode().equals(wijk)).findFirst().orElseThrow();
  }

  private UUID user(String role) {
    UUID id = UUID.randomUUID();
    exec("insert into app_user (id, display_name, roles) values ($1, 'Test', $2)",
        Tuple.tuple().addUUID(id).addArrayOfString(new String[] {role}));
    return id;
  }

  private UUID resident() {
    return user("resident");
  }

  private UUID volunteer(String wijk) {
    UUID id = user("volunteer");
    AreaIndex.Buurt buurt = buurtOf(wijk);
    exec("""
        insert into volunteer_profile (user_id, lat, lon, buurt_code, wijk_code, travel_km) values ($1, $2, $3, $4, $5, 5)
        """, Tuple.of(id, buurt.centroid().lat(), buurt.centroid().lon(), buurt.code(), wijk));
    return id;
  }

  /** A request; minutes are counted from {@code created}; {@code parent} makes it a re-match of an occurrence. */
  UUID request(String wijk, String kind, String status, Instant created, UUID resident, Integer firstOfferMinutes,
               Integer matchMinutes, UUID volunteer, Double hours, UUID parent) {
    UUID id = UUID.randomUUID();
    AreaIndex.Buurt buurt = buurtOf(wijk);
    OffsetDateTime c = created.atOffset(ZoneOffset.UTC);
    JsonObject details = switch (kind) {
      case "companionship" -> new JsonObject().put("activity", "visit");
      case "respite" -> new JsonObject().put("durationMinutes", 120).put("needs", new io.vertx.core.json.JsonArray());
      default -> new JsonObject().put("returnTrip", false);
    };
    exec("""
        insert into help_request (id, resident_id, created_by, kind, status, urgency, details, lat, lon, buurt_code,
                                  wijk_code, first_starts_at, created_at, updated_at, first_offer_at, matched_at,
                                  completed_at, volunteer_id, hours_spent, parent_id)
        values ($1, $2, $2, $3, $4, 'normal', $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16::float8, $17)
        """, Tuple.from(new Object[] {id, resident, kind, status, details, buurt.centroid().lat(),
        buurt.centroid().lon(), buurt.code(), wijk, c.plusDays(2), c,
        firstOfferMinutes == null ? null : c.plusMinutes(firstOfferMinutes),
        matchMinutes == null ? null : c.plusMinutes(matchMinutes),
        status.equals("completed") ? c.plusDays(3) : null, volunteer, hours, parent}));
    history(id, created, "open");
    return id;
  }

  private void history(UUID request, Instant at, String to) {
    exec("insert into help_request_history (request_id, at, to_status, reason) values ($1, $2, $3, 'test')",
        Tuple.of(request, at.atOffset(ZoneOffset.UTC), to));
  }

  private void offer(UUID request, UUID volunteer, String status, String reason) {
    exec("""
        insert into offer (id, request_id, volunteer_id, round, status, score, breakdown, distance_m, decline_reason)
        values ($1, $2, $3, 1, $4, 0.5, '{}', 800, $5)
        """, Tuple.of(UUID.randomUUID(), request, volunteer, status, reason));
  }

  private void feedback(UUID request, String role, int rating) {
    exec("insert into feedback (request_id, role, rating) values ($1, $2, $3)",
        Tuple.of(request, role, (short) rating));
  }

  private UUID weekly(UUID organisation, UUID venue, int day, String first, String last, String status) {
    UUID id = UUID.randomUUID();
    exec("""
        insert into activity (id, organisation_id, venue_id, title, category, schedule_kind, day_of_week, start_time,
                              end_time, first_date, last_date, capacity, status, created_by)
        values ($1, $2, $3, 'Wekelijks', 'ontmoeting', 'weekly', $4, '10:00', '12:00', $5, $6, 20, $7, $8)
        """, Tuple.from(new Object[] {id, organisation, venue, (short) day, LocalDate.parse(first),
        LocalDate.parse(last), status, UUID.randomUUID()}));
    return id;
  }

  private void once(UUID organisation, UUID venue, String startsUtc) {
    OffsetDateTime start = at(startsUtc).atOffset(ZoneOffset.UTC);
    exec("""
        insert into activity (id, organisation_id, venue_id, title, category, schedule_kind, starts_at, ends_at,
                              capacity, created_by)
        values ($1, $2, $3, 'Eenmalig', 'cultuur', 'once', $4, $5, 20, $6)
        """, Tuple.of(UUID.randomUUID(), organisation, venue, start, start.plusHours(2), UUID.randomUUID()));
  }

  private void occurrence(UUID activity, String day, int taken) {
    exec("insert into activity_occurrence (activity_id, occurs_on, capacity, taken) values ($1, $2, 20, $3)",
        Tuple.of(activity, LocalDate.parse(day), taken));
  }

  private void signup(UUID activity, String day, UUID user, Instant created, String status) {
    exec("""
        insert into activity_signup (id, activity_id, occurs_on, user_id, status, created_at, cancelled_at)
        values ($1, $2, $3, $4, $5, $6, $7)
        """, Tuple.of(UUID.randomUUID(), activity, LocalDate.parse(day), user, status,
        created.atOffset(ZoneOffset.UTC), status.equals("cancelled") ? created.atOffset(ZoneOffset.UTC) : null));
  }

  private void exec(String sql, Tuple params) {
    try {
      pool.preparedQuery(sql).execute(params).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
