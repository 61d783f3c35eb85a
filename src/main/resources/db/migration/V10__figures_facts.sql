-- Figures (nl.omzien.reports) read a narrow fact row per help request instead of joining a year of requests to
-- its ~200k offers, ~170k status changes, feedback and sign-ups on every call. Each fact row is a pure function of
-- the source rows (the views below); triggers on every source table mark the requests a statement touched, in the
-- same transaction, and the figures API recomputes what is marked before it reads (figures_flush), so figures never
-- miss a committed change, whichever code path (API, matcher, erasure, the history generator's COPY, a hand-written
-- UPDATE) made it. Medians and p90s stay exact:
-- the facts keep each request's minutes, not a histogram.
--
-- No personal data: ids, wijk codes, times, counts and flags only; no name, address, note or free text. The resident is not stored (what
-- the figures need of their other requests and sign-ups is folded into repeat_same and next_signup_at); the
-- matched volunteer's id is kept (as in help_request) because "volunteers active" counts distinct volunteers.

create table figures_request (
  request_id      uuid primary key references help_request (id) on delete cascade,
  wijk_code       text,
  kind            text not null,
  created_at      timestamptz not null,
  created_local   timestamp not null,        -- created_at on the Dutch clock (for week and month buckets)
  is_rematch      boolean not null,          -- a re-match of one occurrence (parent_id set): not a new request
  status          text not null,
  offer_minutes   float8,                    -- first offer minus creation, minutes (null: never offered)
  match_minutes   float8,                    -- matched_at minus creation, minutes (null: not matched)
  escalated_at    timestamptz,               -- the latest change to 'escalated' (null: never escalated)
  hours_spent     numeric(4, 1),
  volunteer_id    uuid,                      -- the matched volunteer, as help_request.volunteer_id
  offers_made     integer not null,
  offers_declined integer not null,
  resident_rating smallint,                  -- the resident's feedback rating
  -- Continuity (matched first companionship requests): did the resident's previous matched companionship
  -- request have the same volunteer? Null when this is not such a repeat.
  repeat_same     boolean,
  -- Companionship (not a re-match): when the resident first made an active activity sign-up after asking.
  next_signup_at  timestamptz
);
create index figures_request_created on figures_request (created_at);

-- Declined offers of a request by reason code (codes only; free text is 'other', none 'not_given'), with the
-- request's wijk, kind and creation time copied so the per-reason counts need no join.
create table figures_decline (
  request_id uuid not null references figures_request (request_id) on delete cascade,
  reason     text not null,
  wijk_code  text,
  kind       text not null,
  created_at timestamptz not null,
  declined   integer not null,
  primary key (request_id, reason)
);
create index figures_decline_created on figures_decline (created_at);

create view figures_request_source as
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
       (select count(*) from offer o where o.request_id = r.id)::integer as offers_made,
       (select count(*) from offer o where o.request_id = r.id and o.status = 'declined')::integer as offers_declined,
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
  from help_request r;

-- A request's declined offers by reason. A function (inlined by the planner) rather than only a view, so the
-- refresh below looks up one request's offers by index instead of grouping every offer.
create function figures_declines_of(request uuid) returns table (reason text, declined integer)
language sql stable as $$
  select case when o.decline_reason is null or btrim(o.decline_reason) = '' then 'not_given'
              when o.decline_reason ~ '^[a-z][a-z_]{0,39}$' then o.decline_reason
              else 'other' end,
         count(*)::integer
    from offer o
   where o.request_id = request and o.status = 'declined'
   group by 1
$$;

create view figures_decline_source as
select r.id as request_id, d.reason, d.declined
  from help_request r
  cross join lateral figures_declines_of(r.id) d;

-- Recomputes the facts of these requests from their source rows. Callers hold the locks (figures_refresh_now).
create function figures_recompute(ids uuid[]) returns void language plpgsql as $$
begin
  -- Joins with unnest(ids) rather than "= any (ids)" filters: a year of history can be one call, and a filter
  -- would compare every row with every id.
  insert into figures_request as f
  select s.* from unnest(ids) i (id) join figures_request_source s on s.request_id = i.id
  on conflict (request_id) do update
     set wijk_code = excluded.wijk_code, kind = excluded.kind, created_at = excluded.created_at,
         created_local = excluded.created_local, is_rematch = excluded.is_rematch, status = excluded.status, offer_minutes = excluded.offer_minutes,
         match_minutes = excluded.match_minutes, escalated_at = excluded.escalated_at,
         hours_spent = excluded.hours_spent, volunteer_id = excluded.volunteer_id,
         offers_made = excluded.offers_made, offers_declined = excluded.offers_declined,
         resident_rating = excluded.resident_rating, repeat_same = excluded.repeat_same,
         next_signup_at = excluded.next_signup_at
   where f is distinct from excluded;
  delete from figures_decline d using unnest(ids) i (id) where d.request_id = i.id;
  insert into figures_decline (request_id, reason, wijk_code, kind, created_at, declined)
  select f.request_id, d.reason, f.wijk_code, f.kind, f.created_at, d.declined
    from unnest(ids) i (id)
    join figures_request f on f.request_id = i.id
    cross join lateral figures_declines_of(f.request_id) d;
end
$$;

-- Recomputes the facts of requests `ids` and of the first companionship requests of `residents` (whose continuity
-- and follow-up depend on the resident's other requests and sign-ups). A request that no longer exists has lost
-- its facts through the foreign key already.
--
-- Concurrency: lock first, recompute in later statements. Under READ COMMITTED each statement of this (volatile)
-- function takes a new snapshot, so when a concurrent transaction changed the same request, or the same resident's
-- requests or sign-ups, and refreshed first, we wait until it commits and then recompute seeing its change: the
-- last one to commit sees both. Per request that is the fact row's lock; per resident an advisory lock, which also
-- covers requests the other transaction inserted (no row lock could). A large refresh (a bulk UPDATE, the rebuild)
-- locks the whole fact table instead of thousands of keys; reads are not blocked.
create function figures_refresh_now(ids uuid[], residents uuid[] default '{}') returns void language plpgsql as $$
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
    perform 1 from figures_request f join unnest(ids) i (id) on f.request_id = i.id order by f.request_id
        for update of f;
  end if;
  perform figures_recompute(ids);
end
$$;

-- The write path only marks what changed (figures_mark, from the triggers below): recomputing a request's facts costs
-- 1-3 ms of database CPU, and a new help request touches help_request, offer and history several times in its
-- first transaction, which the load run's create path (PostgreSQL-bound) cannot afford. figures_flush() recomputes
-- everything marked; the figures API calls it before it reads (so figures are exact as of the read: every change
-- committed before it is in), and every instance calls it every few seconds so that backlog stays small.
create table figures_dirty (
  kind text not null check (kind in ('request', 'resident')),
  id   uuid not null,
  primary key (kind, id)
);

create function figures_mark(ids uuid[], residents uuid[] default '{}') returns void language sql as $$
  insert into figures_dirty (kind, id)
  select 'request', i from unnest(ids) i where i is not null
  union
  select 'resident', r from unnest(residents) r where r is not null
  on conflict do nothing;
$$;

-- Recomputes every marked request and resident; answers how many marks it took, or -1 when `wait` is false and
-- another flush is running. Flushes are serialised (one advisory lock), so two of them never take the marks in
-- different orders and deadlock; a mark made by a transaction that commits later stays for the next flush.
create function figures_flush(wait boolean default true) returns integer language plpgsql as $$
declare
  ids uuid[];
  residents uuid[];
begin
  if wait then
    perform pg_advisory_xact_lock(hashtextextended('figures:flush', 0));
  elsif not pg_try_advisory_xact_lock(hashtextextended('figures:flush', 0)) then
    return -1;
  end if;
  with taken as (delete from figures_dirty returning kind, id)
  select coalesce(array_agg(id) filter (where kind = 'request'), '{}'),
         coalesce(array_agg(id) filter (where kind = 'resident'), '{}')
    into ids, residents
    from taken;
  perform figures_refresh_now(ids, residents);
  return cardinality(ids) + cardinality(residents);
end
$$;

-- For writers of history in bulk (the generator's COPY): figures_defer() makes the triggers below stand aside for
-- the rest of the transaction, figures_rebuild() builds every fact once and ends that; call both in the same
-- transaction, the rebuild before the commit. Transaction-local: a commit or rollback ends the deferral anyway.
create function figures_defer() returns void language sql as $$
  select set_config('omzien.figures_deferred', 'on', true);
$$;

create function figures_rebuild() returns void language plpgsql as $$
begin
  perform set_config('omzien.figures_deferred', 'off', true);
  perform figures_refresh_now(array(select id from help_request));
end
$$;

create function figures_deferred() returns boolean language sql stable as $$
  select coalesce(current_setting('omzien.figures_deferred', true), '') = 'on';
$$;

-- Statement-level triggers with transition tables: one mark per statement, set-based, so a COPY of a year of
-- offers costs one pass and an API call one request. Changes that cannot move a figure (an offer going from
-- pending to filled, a round counter, a scrubbed comment) cost a join of the transition tables and nothing more.
create function figures_on_request() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform figures_mark(array(select id from new_rows),
                            array(select distinct resident_id from new_rows where kind = 'companionship'));
  elsif tg_op = 'UPDATE' then
    perform figures_mark(
      array(select n.id from new_rows n join old_rows o on o.id = n.id
             where (n.wijk_code, n.kind, n.created_at, n.parent_id, n.status, n.first_offer_at, n.matched_at,
                    n.hours_spent, n.volunteer_id, n.resident_id)
                   is distinct from
                   (o.wijk_code, o.kind, o.created_at, o.parent_id, o.status, o.first_offer_at, o.matched_at,
                    o.hours_spent, o.volunteer_id, o.resident_id)),
      array(select x.resident
              from new_rows n join old_rows o on o.id = n.id,
                   lateral (values (n.resident_id), (o.resident_id)) x (resident)
             where (n.kind = 'companionship' or o.kind = 'companionship')
               and (n.kind, n.created_at, n.parent_id, n.matched_at, n.volunteer_id, n.resident_id)
                   is distinct from
                   (o.kind, o.created_at, o.parent_id, o.matched_at, o.volunteer_id, o.resident_id)));
  else
    perform figures_mark('{}', array(select distinct resident_id from old_rows where kind = 'companionship'));
  end if;
  return null;
end
$$;

create function figures_on_history() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform figures_mark(array(select distinct request_id from new_rows where to_status = 'escalated'));
  elsif tg_op = 'UPDATE' then
    perform figures_mark(array(
      select x.request_id
        from new_rows n join old_rows o on o.id = n.id,
             lateral (values (n.request_id), (o.request_id)) x (request_id)
       where (n.to_status = 'escalated' or o.to_status = 'escalated')
         and (n.request_id, n.to_status, n.at) is distinct from (o.request_id, o.to_status, o.at)));
  else
    perform figures_mark(array(select distinct request_id from old_rows where to_status = 'escalated'));
  end if;
  return null;
end
$$;

create function figures_on_offer() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform figures_mark(array(select distinct request_id from new_rows));
  elsif tg_op = 'UPDATE' then
    -- Most updates move an offer between pending, accepted, filled and withdrawn: no figure changes.
    perform figures_mark(array(
      select x.request_id
        from new_rows n join old_rows o on o.id = n.id,
             lateral (values (n.request_id), (o.request_id)) x (request_id)
       where n.request_id <> o.request_id
          or (n.status = 'declined') <> (o.status = 'declined')
          or (n.status = 'declined' and n.decline_reason is distinct from o.decline_reason)));
  else
    perform figures_mark(array(select distinct request_id from old_rows));
  end if;
  return null;
end
$$;

-- Feedback has no surrogate key: a request needs a recompute when its resident rating appeared, went or changed.
create function figures_on_feedback() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform figures_mark(array(select distinct request_id from new_rows where role = 'resident'));
  elsif tg_op = 'UPDATE' then
    perform figures_mark(array(
      select n.request_id from new_rows n
       where n.role = 'resident'
         and not exists (select 1 from old_rows o
                          where o.request_id = n.request_id and o.role = n.role and o.rating = n.rating)
      union
      select o.request_id from old_rows o
       where o.role = 'resident'
         and not exists (select 1 from new_rows n
                          where n.request_id = o.request_id and n.role = o.role and n.rating = o.rating)));
  else
    perform figures_mark(array(select distinct request_id from old_rows where role = 'resident'));
  end if;
  return null;
end
$$;

create function figures_on_signup() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform figures_mark('{}', array(select distinct user_id from new_rows where status = 'active'));
  elsif tg_op = 'UPDATE' then
    perform figures_mark('{}', array(
      select x.user_id
        from new_rows n join old_rows o on o.id = n.id,
             lateral (values (n.user_id), (o.user_id)) x (user_id)
       where (n.status = 'active' or o.status = 'active')
         and (n.user_id, n.status, n.created_at) is distinct from (o.user_id, o.status, o.created_at)));
  else
    perform figures_mark('{}', array(select distinct user_id from old_rows where status = 'active'));
  end if;
  return null;
end
$$;

create trigger figures_request_inserted after insert on help_request
  referencing new table as new_rows for each statement execute function figures_on_request();
create trigger figures_request_updated after update on help_request
  referencing new table as new_rows old table as old_rows for each statement execute function figures_on_request();
create trigger figures_request_deleted after delete on help_request
  referencing old table as old_rows for each statement execute function figures_on_request();

create trigger figures_history_inserted after insert on help_request_history
  referencing new table as new_rows for each statement execute function figures_on_history();
create trigger figures_history_updated after update on help_request_history
  referencing new table as new_rows old table as old_rows for each statement execute function figures_on_history();
create trigger figures_history_deleted after delete on help_request_history
  referencing old table as old_rows for each statement execute function figures_on_history();

create trigger figures_offer_inserted after insert on offer
  referencing new table as new_rows for each statement execute function figures_on_offer();
create trigger figures_offer_updated after update on offer
  referencing new table as new_rows old table as old_rows for each statement execute function figures_on_offer();
create trigger figures_offer_deleted after delete on offer
  referencing old table as old_rows for each statement execute function figures_on_offer();

create trigger figures_feedback_inserted after insert on feedback
  referencing new table as new_rows for each statement execute function figures_on_feedback();
create trigger figures_feedback_updated after update on feedback
  referencing new table as new_rows old table as old_rows for each statement execute function figures_on_feedback();
create trigger figures_feedback_deleted after delete on feedback
  referencing old table as old_rows for each statement execute function figures_on_feedback();

create trigger figures_signup_inserted after insert on activity_signup
  referencing new table as new_rows for each statement execute function figures_on_signup();
create trigger figures_signup_updated after update on activity_signup
  referencing new table as new_rows old table as old_rows for each statement execute function figures_on_signup();
create trigger figures_signup_deleted after delete on activity_signup
  referencing old table as old_rows for each statement execute function figures_on_signup();

-- Existing history: build every fact once.
select figures_rebuild();
