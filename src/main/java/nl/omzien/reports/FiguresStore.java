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
 * Prepared statements only. Request-based themes read the per-request fact tables of migration V10
 * ({@link #FACTS}); sessions, sign-ups and what is waiting now read their own (small) tables.
 */
public final class FiguresStore {
  /** Key of the row over all asked wijken. */
  public static final String TOTAL = "*";

  private static final String WIJK = "case when grouping(%s) = 1 then '*' else %s end as wijk";

  /**
   * The per-theme statements, each with its parameters: requests, volunteers, offers, feedback and series take
   * period start and end (instants), kind (null = all) and wijken (series also the interval); continuity takes
   * start, end and wijken; follow-up start, end, wijken and the window in days. Result columns as read below.
   */
  public record Statements(String requests, String volunteers, String offers, String continuity, String followUp,
                           String feedback, String series) {
  }

  /** The wijk column of a {@code GROUPING SETS ((col), ())} query: the code, or {@link #TOTAL} on the total row. */
  static String wijk(String column) {
    return WIJK.formatted(column, column);
  }

  /**
   * The statements over the fact tables ({@code figures_request}, {@code figures_decline}; migration V10), kept
   * current by triggers in the transaction of every change. Each returns exactly what the statement over the raw
   * tables it replaces returned (FiguresFactsTest checks this on generated history and after live changes).
   */
  public static final Statements FACTS = new Statements(
      """
      select %1$s,
             count(*) filter (where not f.is_rematch) as requests,
             count(*) filter (where not f.is_rematch and f.offer_minutes is not null) as offered,
             percentile_cont(0.5) within group (order by f.offer_minutes) filter (where not f.is_rematch) as offer_p50,
             percentile_cont(0.9) within group (order by f.offer_minutes) filter (where not f.is_rematch) as offer_p90,
             count(*) filter (where not f.is_rematch and f.match_minutes is not null) as matched,
             percentile_cont(0.5) within group (order by f.match_minutes) filter (where not f.is_rematch) as match_p50,
             percentile_cont(0.9) within group (order by f.match_minutes) filter (where not f.is_rematch) as match_p90,
             count(*) filter (where not f.is_rematch and f.escalated_at >= $1) as escalated,
             count(*) filter (where not f.is_rematch and f.status = 'referred') as referred,
             count(*) filter (where not f.is_rematch and f.status = 'expired') as expired,
             count(f.hours_spent) as with_hours,
             coalesce(sum(f.hours_spent), 0)::float8 as hours
        from figures_request f
       where f.created_at >= $1 and f.created_at < $2
         and ($3::text is null or f.kind = $3)
         and f.wijk_code = any($4)
       group by grouping sets ((f.wijk_code), ())
      """.formatted(wijk("f.wijk_code")),
      """
      select %1$s, count(*) as active
        from (select distinct f.volunteer_id
                from figures_request f
               where f.created_at >= $1 and f.created_at < $2
                 and ($3::text is null or f.kind = $3)
                 and f.match_minutes is not null) d
        join volunteer_profile v on v.user_id = d.volunteer_id
       where v.wijk_code = any($4)
       group by grouping sets ((v.wijk_code), ())
      """.formatted(wijk("v.wijk_code")),
      """
      select %1$s, 1 as by_reason, null::text as reason,
             coalesce(sum(f.offers_made), 0)::bigint as made, coalesce(sum(f.offers_declined), 0)::bigint as declined
        from figures_request f
       where f.created_at >= $1 and f.created_at < $2
         and ($3::text is null or f.kind = $3)
         and f.wijk_code = any($4)
         and f.offers_made > 0
       group by grouping sets ((f.wijk_code), ())
      union all
      select %2$s, 0, d.reason, sum(d.declined)::bigint, sum(d.declined)::bigint
        from figures_decline d
       where d.created_at >= $1 and d.created_at < $2
         and ($3::text is null or d.kind = $3)
         and d.wijk_code = any($4)
       group by grouping sets ((d.wijk_code, d.reason), (d.reason))
      """.formatted(wijk("f.wijk_code"), wijk("d.wijk_code")),
      """
      select %1$s, count(*) as repeat_matches, count(*) filter (where f.repeat_same) as same_volunteer
        from figures_request f
       where f.created_at >= $1 and f.created_at < $2
         and f.repeat_same is not null
         and f.wijk_code = any($3)
       group by grouping sets ((f.wijk_code), ())
      """.formatted(wijk("f.wijk_code")),
      """
      select %1$s, count(*) as eligible,
             count(*) filter (where f.next_signup_at <= f.created_at + make_interval(days => $4)) as followed
        from figures_request f
       where f.created_at >= $1 and f.created_at < $2
         and f.kind = 'companionship'
         and not f.is_rematch
         and f.wijk_code = any($3)
       group by grouping sets ((f.wijk_code), ())
      """.formatted(wijk("f.wijk_code")),
      """
      select %1$s, count(*) as n, avg(f.resident_rating)::float8 as mean
        from figures_request f
       where f.resident_rating is not null
         and f.created_at >= $1 and f.created_at < $2
         and ($3::text is null or f.kind = $3)
         and f.wijk_code = any($4)
       group by grouping sets ((f.wijk_code), ())
      """.formatted(wijk("f.wijk_code")),
      """
      select (date_trunc($5, f.created_local))::date as bucket,
             count(*) as requests,
             count(f.match_minutes) as matched,
             percentile_cont(0.5) within group (order by f.match_minutes) as match_p50,
             percentile_cont(0.9) within group (order by f.match_minutes) as match_p90
        from figures_request f
       where f.created_at >= $1 and f.created_at < $2
         and ($3::text is null or f.kind = $3)
         and f.wijk_code = any($4)
         and not f.is_rematch
       group by 1
       order by 1
      """);


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
  private final Statements sql;

  /** Figures from the fact tables. */
  public FiguresStore(Pool pool) {
    this(pool, FACTS);
  }

  /** Figures from the given statements (tests compare the fact tables with the raw tables this way). */
  public FiguresStore(Pool pool, Statements sql) {
    this.pool = pool;
    this.sql = sql;
  }

  /**
   * Recomputes the facts of everything changed since the last flush (migration V10: the write path only marks what
   * it touched). {@code wait}: queue behind a running flush (a read that must see every committed change); else
   * skip when one runs (the periodic flush). Answers how many marks were taken, -1 when skipped.
   */
  public Future<Integer> flush(boolean wait) {
    return pool.preparedQuery("select figures_flush($1)").execute(Tuple.of(wait))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Per wijk (and {@link #TOTAL}): requests, matches, timings (minutes), escalations, referrals, hours. */
  public Future<Map<String, JsonObject>> requests(FiguresQuery q) {
    return byWijk(sql.requests(), periodKindWijken(q));
  }

  /** Per home wijk of the volunteer: volunteers active in the period. */
  public Future<Map<String, JsonObject>> volunteers(FiguresQuery q) {
    return byWijk(sql.volunteers(), periodKindWijken(q));
  }

  /** Offers per wijk (and total): made, declined, and declined by reason code (most frequent first). */
  public record Offers(Map<String, JsonObject> totals, Map<String, Map<String, Long>> reasons) {
  }

  public Future<Offers> offers(FiguresQuery q) {
    return pool.preparedQuery(sql.offers()).execute(periodKindWijken(q)).map(rows -> {
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
    return byWijk(sql.continuity(), Tuple.of(utc(q.start()), utc(q.end()), wijken(q)));
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
    return byWijk(sql.followUp(), Tuple.of(utc(q.start()), utc(end), wijken(q), windowDays));
  }

  public Future<Map<String, JsonObject>> feedback(FiguresQuery q) {
    return byWijk(sql.feedback(), periodKindWijken(q));
  }

  /** Help waiting now: how many and the median minutes they have waited. */
  public Future<Map<String, JsonObject>> waiting(FiguresQuery q) {
    return byWijk(WAITING, Tuple.of(utc(q.now()), q.kind().orElse(null), wijken(q)));
  }

  /** Requests per week or month ({@code interval}), over all asked wijken, oldest first. */
  public Future<List<JsonObject>> series(FiguresQuery q, String interval) {
    return pool.preparedQuery(sql.series())
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
