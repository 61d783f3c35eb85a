-- V10 kept one mark per request (primary key on figures_dirty). Under concurrent writes that deadlocked: a flush took
-- (deleted) request R's mark and then, writing R's fact row, waited for the foreign key's KEY SHARE lock on R's
-- help_request row, held by the matching round that was running for R; that round, marking R again (inserting an
-- offer), waited on the flush's deleted key. PostgreSQL broke the cycle after deadlock_timeout, every flush (2 s).
-- Marks are now a plain append-only log: a writer's mark never waits for anyone, duplicates are folded by the flush.
alter table figures_dirty drop constraint figures_dirty_pkey;

create or replace function figures_mark(ids uuid[], residents uuid[] default '{}') returns void language sql as $$
  insert into figures_dirty (kind, id)
  select 'request', i from unnest(ids) i where i is not null
  union
  select 'resident', r from unnest(residents) r where r is not null;
$$;

create or replace function figures_flush(wait boolean default true) returns integer language plpgsql as $$
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
  select coalesce(array_agg(distinct id) filter (where kind = 'request'), '{}'),
         coalesce(array_agg(distinct id) filter (where kind = 'resident'), '{}')
    into ids, residents
    from taken;
  perform figures_refresh_now(ids, residents);
  return cardinality(ids) + cardinality(residents);
end
$$;
