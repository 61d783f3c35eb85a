package nl.omzien.reports;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL behind the figures: one aggregate query per theme, each grouped by wijk <em>and</em> over all asked
 * wijken at once ({@code GROUPING SETS ((wijk), ())}), so the total is computed (distinct volunteers, medians) and
 * not summed. The total row has the key {@value #TOTAL}. Raw numbers only; suppression is the service's job.
 * Prepared statements only.
 */
public final class FiguresStore {
  /** Key of the row over all asked wijken. */
  public static final String TOTAL = "*";

  private static final String WIJK = "case when grouping(%s) = 1 then '*' else %s end as wijk";

  /** Requests created in the period ($1..$2), kind $3 (null = all), wijken $4. Re-matches count for hours only. */
  private static final String REQUESTS = """
      select %s,
             count(*) filter (where r.parent_id is null) as requests,
             count(*) filter (where r.parent_id is null and r.first_offer_at is not null) as offered,
             percentile_cont(0.5) within group (order by extract(epoch from r.first_offer_at - r.created_at)::float8 / 60)
               filter (where r.parent_id is null) as offer_p50,
             percentile_cont(0.9) within group (order by extract(epoch from r.first_offer_at - r.created_at)::float8 / 60)
               filter (where r.parent_id is null) as offer_p90,
             count(*) filter (where r.parent_id is null and r.matched_at is not null) as matched,
             percentile_cont(0.5) within group (order by extract(epoch from r.matched_at - r.created_at)::float8 / 60)
               filter (where r.parent_id is null) as match_p50,
             percentile_cont(0.9) within group (order by extract(epoch from r.matched_at - r.created_at)::float8 / 60)
               filter (where r.parent_id is null) as match_p90,
             count(*) filter (where r.parent_id is null and e.request_id is not null) as escalated,
             count(*) filter (where r.parent_id is null and r.status = 'referred') as referred,
             count(*) filter (where r.parent_id is null and r.status = 'expired') as expired,
             count(r.hours_spent) as with_hours,
             coalesce(sum(r.hours_spent), 0)::float8 as hours
        from help_request r
        left join (select distinct h.request_id
                     from help_request_history h
                    where h.to_status = 'escalated' and h.at >= $1) e on e.request_id = r.id
       where r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.wijk_code = any($4)
       group by grouping sets ((r.wijk_code), ())
      """.formatted(WIJK.formatted("r.wijk_code", "r.wijk_code"));

  /** Volunteers living in wijken $4 matched to at least one request (any wijk) created in the period. */
  private static final String VOLUNTEERS = """
      select %s, count(distinct r.volunteer_id) as active
        from help_request r
        join volunteer_profile v on v.user_id = r.volunteer_id
       where r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.matched_at is not null
         and v.wijk_code = any($4)
       group by grouping sets ((v.wijk_code), ())
      """.formatted(WIJK.formatted("v.wijk_code", "v.wijk_code"));

  /**
   * Offers made on the period's requests and how many were declined, and declined offers by reason, in one pass
   * (rows with {@code by_reason = 0} are the per-reason counts). A reason is reported only as a code (lower case
   * letters and underscores, as the app sends them); free text, which could name someone, is counted as
   * {@code other}, none as {@code not_given}.
   */
  private static final String OFFERS = """
      select case when grouping(d.wijk_code) = 1 then '*' else d.wijk_code end as wijk,
             grouping(d.reason) as by_reason, d.reason,
             count(*) as made, count(*) filter (where d.declined) as declined
        from (select r.wijk_code, o.status = 'declined' as declined,
                     case when o.status <> 'declined' then null
                          when o.decline_reason is null or btrim(o.decline_reason) = '' then 'not_given'
                          when o.decline_reason ~ '^[a-z][a-z_]{0,39}$' then o.decline_reason
                          else 'other' end as reason
                from offer o
                join help_request r on r.id = o.request_id
               where r.created_at >= $1 and r.created_at < $2
                 and ($3::text is null or r.kind = $3)
                 and r.wijk_code = any($4)) d
       group by grouping sets ((d.wijk_code), (), (d.wijk_code, d.reason), (d.reason))
      """;

  /**
   * Matched companionship requests of residents who had a matched companionship request before, and how many got
   * the same volunteer as the last time.
   */
  private static final String CONTINUITY = """
      select %s, count(*) as repeat_matches, count(*) filter (where p.volunteer_id = c.volunteer_id) as same_volunteer
        from help_request c
        cross join lateral (select p.volunteer_id
                              from help_request p
                             where p.resident_id = c.resident_id
                               and p.created_at < c.created_at
                               and p.kind = 'companionship'
                               and p.parent_id is null
                               and p.matched_at is not null
                               and p.volunteer_id is not null
                             order by p.created_at desc
                             limit 1) p
       where c.created_at >= $1 and c.created_at < $2
         and c.kind = 'companionship'
         and c.parent_id is null
         and c.matched_at is not null
         and c.volunteer_id is not null
         and c.wijk_code = any($3)
       group by grouping sets ((c.wijk_code), ())
      """.formatted(WIJK.formatted("c.wijk_code", "c.wijk_code"));

  /**
   * Sessions of active activities at venues in wijken $3 on days $1..$2: one-off ones by their local start day,
   * weekly ones by counting their weekday between the later of first_date and $1 and the earlier of last_date and $2.
   */
  private static final String SESSIONS = """
      select %s, coalesce(sum(s.sessions), 0)::bigint as held
        from (select v.wijk_code,
                     case when a.schedule_kind = 'once'
                          then case when (a.starts_at at time zone 'Europe/Amsterdam')::date between $1 and $2
                                    then 1 else 0 end
                          else (select case when f.first_day > f.last_day then 0
                                            else (f.last_day - f.first_day) / 7 + 1 end
                                  from (select greatest(a.first_date, $1)
                                                 + ((a.day_of_week - extract(isodow from greatest(a.first_date, $1))::int
                                                     + 7) %% 7) as first_day,
                                               least(a.last_date, $2) as last_day) f)
                     end as sessions
                from activity a
                join venue v on v.id = a.venue_id
               where a.status = 'active'
                 and v.wijk_code = any($3)) s
       group by grouping sets ((s.wijk_code), ())
      """.formatted(WIJK.formatted("s.wijk_code", "s.wijk_code"));

  private static final String SIGNUPS = """
      select %s, count(*) as signups
        from activity_signup s
        join activity a on a.id = s.activity_id
        join venue v on v.id = a.venue_id
       where s.status = 'active'
         and s.occurs_on between $1 and $2
         and v.wijk_code = any($3)
       group by grouping sets ((v.wijk_code), ())
      """.formatted(WIJK.formatted("v.wijk_code", "v.wijk_code"));

  /** Companionship requests created in $1..$2 and whether their resident signed up for an activity within $4 days. */
  private static final String FOLLOW_UP = """
      select %s, count(*) as eligible,
             count(*) filter (where exists (select 1
                                              from activity_signup s
                                             where s.user_id = c.resident_id
                                               and s.status = 'active'
                                               and s.created_at > c.created_at
                                               and s.created_at <= c.created_at + make_interval(days => $4))) as followed
        from help_request c
       where c.created_at >= $1 and c.created_at < $2
         and c.kind = 'companionship'
         and c.parent_id is null
         and c.wijk_code = any($3)
       group by grouping sets ((c.wijk_code), ())
      """.formatted(WIJK.formatted("c.wijk_code", "c.wijk_code"));

  private static final String FEEDBACK = """
      select %s, count(*) as n, avg(f.rating)::float8 as mean
        from feedback f
        join help_request r on r.id = f.request_id
       where f.role = 'resident'
         and r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.wijk_code = any($4)
       group by grouping sets ((r.wijk_code), ())
      """.formatted(WIJK.formatted("r.wijk_code", "r.wijk_code"));

  /** Help waiting right now ($1 = now), whatever the period. */
  private static final String WAITING = """
      select %s, count(*) as n,
             percentile_cont(0.5) within group (order by extract(epoch from $1 - r.created_at)::float8 / 60) as p50
        from help_request r
       where r.status in ('open', 'offered', 'escalated')
         and ($2::text is null or r.kind = $2)
         and r.wijk_code = any($3)
       group by grouping sets ((r.wijk_code), ())
      """.formatted(WIJK.formatted("r.wijk_code", "r.wijk_code"));

  private static final String SERIES = """
      select (date_trunc($5, r.created_at at time zone 'Europe/Amsterdam'))::date as bucket,
             count(*) as requests,
             count(r.matched_at) as matched,
             percentile_cont(0.5) within group (order by extract(epoch from r.matched_at - r.created_at)::float8 / 60)
               as match_p50,
             percentile_cont(0.9) within group (order by extract(epoch from r.matched_at - r.created_at)::float8 / 60)
               as match_p90
        from help_request r
       where r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.wijk_code = any($4)
         and r.parent_id is null
       group by 1
       order by 1
      """;

  private static final String WAITING_LIST = """
      select r.id, r.kind, r.status, r.urgency, r.wijk_code, w.name as wijk_name, r.buurt_code, b.name as buurt_name,
             r.created_at
        from help_request r
        left join wijk w on w.code = r.wijk_code
        left join buurt b on b.code = r.buurt_code
       where r.status in ('open', 'offered', 'escalated')
         and r.wijk_code = any($1)
       order by r.created_at, r.id
       limit $2
      """;

  private final Pool pool;

  public FiguresStore(Pool pool) {
    this.pool = pool;
  }

  /** Per wijk (and {@link #TOTAL}): requests, matches, timings (minutes), escalations, referrals, hours. */
  public Future<Map<String, JsonObject>> requests(FiguresQuery q) {
    return byWijk(REQUESTS, periodKindWijken(q));
  }

  /** Per home wijk of the volunteer: volunteers active in the period. */
  public Future<Map<String, JsonObject>> volunteers(FiguresQuery q) {
    return byWijk(VOLUNTEERS, periodKindWijken(q));
  }

  /** Offers per wijk (and total): made, declined, and declined by reason code (most frequent first). */
  public record Offers(Map<String, JsonObject> totals, Map<String, Map<String, Long>> reasons) {
  }

  public Future<Offers> offers(FiguresQuery q) {
    return pool.preparedQuery(OFFERS).execute(periodKindWijken(q)).map(rows -> {
      Map<String, JsonObject> totals = new LinkedHashMap<>();
      List<Row> byReason = new ArrayList<>();
      for (Row row : rows) {
        if (row.getInteger("by_reason") == 1) {
          totals.put(row.getString("wijk"), row.toJson());
        } else if (row.getString("reason") != null) {
          byReason.add(row);
        }
      }
      byReason.sort((a, b) -> a.getLong("declined").equals(b.getLong("declined"))
          ? a.getString("reason").compareTo(b.getString("reason"))
          : Long.compare(b.getLong("declined"), a.getLong("declined")));
      Map<String, Map<String, Long>> reasons = new LinkedHashMap<>();
      for (Row row : byReason) {
        reasons.computeIfAbsent(row.getString("wijk"), k -> new LinkedHashMap<>())
            .put(row.getString("reason"), row.getLong("declined"));
      }
      return new Offers(totals, reasons);
    });
  }

  public Future<Map<String, JsonObject>> continuity(FiguresQuery q) {
    return byWijk(CONTINUITY, Tuple.of(utc(q.start()), utc(q.end()), wijken(q)));
  }

  /** Per venue wijk: activity sessions held from the first day until {@link FiguresQuery#heldUntil()}. */
  public Future<Map<String, JsonObject>> sessions(FiguresQuery q) {
    return byWijk(SESSIONS, Tuple.of(q.from(), q.heldUntil(), wijken(q)));
  }

  public Future<Map<String, JsonObject>> signups(FiguresQuery q) {
    return byWijk(SIGNUPS, Tuple.of(q.from(), q.to(), wijken(q)));
  }

  /**
   * Companionship requests of the period whose {@code windowDays} window has closed by now, and how many were
   * followed by an activity sign-up of their resident within it.
   */
  public Future<Map<String, JsonObject>> followUp(FiguresQuery q, int windowDays) {
    Instant closedBefore = q.now().minusSeconds(windowDays * 86_400L);
    Instant end = q.end().isBefore(closedBefore) ? q.end() : closedBefore;
    return byWijk(FOLLOW_UP, Tuple.of(utc(q.start()), utc(end), wijken(q), windowDays));
  }

  public Future<Map<String, JsonObject>> feedback(FiguresQuery q) {
    return byWijk(FEEDBACK, periodKindWijken(q));
  }

  /** Help waiting now: how many and the median minutes they have waited. */
  public Future<Map<String, JsonObject>> waiting(FiguresQuery q) {
    return byWijk(WAITING, Tuple.of(utc(q.now()), q.kind().orElse(null), wijken(q)));
  }

  /** Requests per week or month ({@code interval}), over all asked wijken, oldest first. */
  public Future<List<JsonObject>> series(FiguresQuery q, String interval) {
    return pool.preparedQuery(SERIES)
        .execute(Tuple.of(utc(q.start()), utc(q.end()), q.kind().orElse(null), wijken(q), interval))
        .map(rows -> {
          List<JsonObject> points = new ArrayList<>();
          rows.forEach(row -> points.add(row.toJson()));
          return points;
        });
  }

  /** One open, offered or escalated request, longest waiting first. */
  public record Waiting(UUID id, String kind, String status, String urgency, String wijkCode, String wijkName,
                        String buurtCode, String buurtName, OffsetDateTime createdAt) {
  }

  public Future<List<Waiting>> waitingList(List<String> wijken, int limit) {
    return pool.preparedQuery(WAITING_LIST).execute(Tuple.of(wijken.toArray(String[]::new), limit)).map(rows -> {
      List<Waiting> items = new ArrayList<>();
      rows.forEach(row -> items.add(new Waiting(row.getUUID("id"), row.getString("kind"), row.getString("status"),
          row.getString("urgency"), row.getString("wijk_code"), row.getString("wijk_name"), row.getString("buurt_code"),
          row.getString("buurt_name"), row.getOffsetDateTime("created_at"))));
      return items;
    });
  }

  private Future<Map<String, JsonObject>> byWijk(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      Map<String, JsonObject> result = new LinkedHashMap<>();
      rows.forEach(row -> result.put(row.getString("wijk"), row.toJson()));
      return result;
    });
  }

  private static Tuple periodKindWijken(FiguresQuery q) {
    return Tuple.of(utc(q.start()), utc(q.end()), q.kind().orElse(null), wijken(q));
  }

  private static String[] wijken(FiguresQuery q) {
    return q.wijken().toArray(String[]::new);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
