-- The figures' flush (V10, V12) runs every few seconds and recomputes the facts of every request marked since the
-- last one: under the accept load run, about a thousand per flush. Three of its statements joined the marked ids
-- with unnest(ids); with that many ids the planner hashed the whole fact table (figures_request, seq scan) or
-- the whole decline table to find them, so every flush read both tables from end to end, a cost that grows with
-- the years of history kept rather than with the work. `= any (ids)` is an index condition: a sorted search of
-- the primary key, which reads the marked rows only, at any size (and with a bulk call, the rebuild, the planner
-- may still choose one pass over the table, hashing the ids).
--
-- Two cheaper steps per request as well: a request's offers are counted in one index pass instead of two (made and
-- declined), and the per-reason declines are looked up only for requests that have a declined offer (most have
-- none). The facts are the same; FiguresFactsTest checks them against the source views row for row.

create or replace view figures_request_source as
select r.id as request_id,
       r.wijk_code,
       r.kind,
       r.created_at,
       r.created_at at time zone 'Europe/Amsterdam' as created_local,
       r.parent_id is not null as is_rematch,
       r.status,
       extract(epoch from r.first_offer_at - r.created_at)::float8 / 60 as offer_minutes,
       extract(epoch from r.matched_at - r.created_at)::float8 / 60 as match_minutes,
       (select max(h.at) from help_request_history h
         where h.request_id = r.id and h.to_status = 'escalated') as escalated_at,
       r.hours_spent,
       r.volunteer_id,
       o.made as offers_made,
       o.declined as offers_declined,
       (select f.rating from feedback f where f.request_id = r.id and f.role = 'resident') as resident_rating,
       case when r.kind = 'companionship' and r.parent_id is null and r.matched_at is not null
                 and r.volunteer_id is not null
            then (select p.volunteer_id = r.volunteer_id
                    from help_request p
                   where p.resident_id = r.resident_id
                     and p.created_at < r.created_at
                     and p.kind = 'companionship'
                     and p.parent_id is null
                     and p.matched_at is not null
                     and p.volunteer_id is not null
                   order by p.created_at desc, p.id desc
                   limit 1)
       end as repeat_same,
       case when r.kind = 'companionship' and r.parent_id is null
            then (select min(s.created_at) from activity_signup s
                   where s.user_id = r.resident_id and s.status = 'active' and s.created_at > r.created_at)
       end as next_signup_at
  from help_request r
  cross join lateral (select count(*)::integer as made,
                             (count(*) filter (where o.status = 'declined'))::integer as declined
                        from offer o
                       where o.request_id = r.id) o;

create or replace function figures_recompute(ids uuid[]) returns void language plpgsql as $$
begin
  insert into figures_request as f
  select s.* from figures_request_source s where s.request_id = any (ids)
  on conflict (request_id) do update
     set wijk_code = excluded.wijk_code, kind = excluded.kind, created_at = excluded.created_at,
         created_local = excluded.created_local, is_rematch = excluded.is_rematch, status = excluded.status,
         offer_minutes = excluded.offer_minutes, match_minutes = excluded.match_minutes,
         escalated_at = excluded.escalated_at, hours_spent = excluded.hours_spent, volunteer_id = excluded.volunteer_id,
         offers_made = excluded.offers_made, offers_declined = excluded.offers_declined,
         resident_rating = excluded.resident_rating, repeat_same = excluded.repeat_same,
         next_signup_at = excluded.next_signup_at
   where f is distinct from excluded;
  delete from figures_decline d where d.request_id = any (ids);
  insert into figures_decline (request_id, reason, wijk_code, kind, created_at, declined)
  select f.request_id, d.reason, f.wijk_code, f.kind, f.created_at, d.declined
    from figures_request f
    cross join lateral figures_declines_of(f.request_id) d
   where f.request_id = any (ids) and f.offers_declined > 0;
end
$$;

-- As V10, with the fact rows locked through the primary key (see above).
create or replace function figures_refresh_now(ids uuid[], residents uuid[] default '{}') returns void
language plpgsql as $$
declare
  bulk boolean := coalesce(cardinality(ids), 0) + coalesce(cardinality(residents), 0) > 1000;
begin
  if coalesce(cardinality(ids), 0) = 0 and coalesce(cardinality(residents), 0) = 0 then
    return;
  end if;
  if bulk then
    lock table figures_request in exclusive mode;
  else
    lock table figures_request in row share mode;
    perform pg_advisory_xact_lock(k.key)
       from (select distinct hashtextextended('figures:' || x.resident::text, 0) as key
               from (select unnest(residents) as resident
                     union
                     select r.resident_id from help_request r
                      where r.id = any (ids) and r.kind = 'companionship' and r.parent_id is null) x
              where x.resident is not null) k
      order by k.key;
  end if;
  ids := array(select unnest(ids)
               union
               select r.id from help_request r
                where r.resident_id = any (residents) and r.kind = 'companionship' and r.parent_id is null);
  if not bulk then
    perform 1 from figures_request f where f.request_id = any (ids) order by f.request_id for update of f;
  end if;
  perform figures_recompute(ids);
end
$$;
