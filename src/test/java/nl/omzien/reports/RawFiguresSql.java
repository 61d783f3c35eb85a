package nl.omzien.reports;

/**
 * The oracle: the figures' statements as they were before the fact tables (migration V10), straight over the raw
 * tables (help_request, offer, help_request_history, feedback, activity_signup). Slow on a year of a city, obviously
 * right; {@link FiguresStore#FACTS} must return exactly the same rows.
 */
final class RawFiguresSql {
  private RawFiguresSql() {
  }

  /** Requests created in the period ($1..$2), kind $3 (null = all), wijken $4. Re-matches count for hours only. */
  static final String REQUESTS = """
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
      """.formatted(FiguresStore.wijk("r.wijk_code"));


  /** Volunteers living in wijken $4 matched to at least one request (any wijk) created in the period. */
  static final String VOLUNTEERS = """
      select %s, count(distinct r.volunteer_id) as active
        from help_request r
        join volunteer_profile v on v.user_id = r.volunteer_id
       where r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.matched_at is not null
         and v.wijk_code = any($4)
       group by grouping sets ((v.wijk_code), ())
      """.formatted(FiguresStore.wijk("v.wijk_code"));


  /**
   * Offers made on the period's requests and how many were declined, and declined offers by reason, in one pass
   * (rows with {@code by_reason = 0} are the per-reason counts). A reason is reported only as a code (lower case
   * letters and underscores, as the app sends them); free text, which could name someone, is counted as
   * {@code other}, none as {@code not_given}.
   */
  static final String OFFERS = """
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
  static final String CONTINUITY = """
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
      """.formatted(FiguresStore.wijk("c.wijk_code"));


  /** Companionship requests created in $1..$2 and whether their resident signed up for an activity within $4 days. */
  static final String FOLLOW_UP = """
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
      """.formatted(FiguresStore.wijk("c.wijk_code"));


  static final String FEEDBACK = """
      select %s, count(*) as n, avg(f.rating)::float8 as mean
        from feedback f
        join help_request r on r.id = f.request_id
       where f.role = 'resident'
         and r.created_at >= $1 and r.created_at < $2
         and ($3::text is null or r.kind = $3)
         and r.wijk_code = any($4)
       group by grouping sets ((r.wijk_code), ())
      """.formatted(FiguresStore.wijk("r.wijk_code"));


  static final String SERIES = """
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

  /** All of them, for {@link FiguresStore#FiguresStore(io.vertx.sqlclient.Pool, FiguresStore.Statements)}. */
  static final FiguresStore.Statements RAW = new FiguresStore.Statements(REQUESTS, VOLUNTEERS, OFFERS, CONTINUITY,
      FOLLOW_UP, FEEDBACK, SERIES);
}
