-- A request's facts read two other rows of its resident: repeat_same (was the previous matched companionship request
-- of the same resident served by the same volunteer?) and next_signup_at (activity signups). Since V10 the trigger on
-- help_request marked the resident, so that the flush recomputes every companionship request of theirs, for every
-- inserted companionship request and for every companionship request whose match changed. A resident with a year of
-- weekly visits has ~50 of them: each new request cost ~50 recomputes, and in a load run, where residents ask again
-- and again, a flush every 2 s grew from 110 to 980 ms over two minutes of creating (issue #6).
--
-- A request X can change another request R's repeat_same only as R's "previous" request: X must be (or have been) a
-- matched companionship request without a parent, R a companionship request of the same resident created after it.
-- So:
-- - an inserted request marks its resident only when it is inserted matched (no API does; hand-written SQL may). A
--   new unmatched request is nobody's previous request; it is marked itself, as before.
-- - an update that moves a companionship request's match, time, parent or resident marks the resident only when that
--   resident has a companionship request created after it (least of its old and new time). The newest request's
--   match (the usual case) marks nothing more than itself.
-- - a delete marks as before.
-- A request that is created later, concurrently, is unmatched at its insert (repeat_same null); its own match marks
-- it, and its flush reads the committed previous request then. Signups still mark their resident (V10).
-- FiguresFactsTest checks the facts against their source views row for row; FiguresTriggersTest counts the marks.

create or replace function figures_on_request() returns trigger language plpgsql as $$
declare
  ids uuid[];
  residents uuid[];
begin
  if tg_op = 'DELETE' then
    if not exists (select from old_rows) then
      return null;
    end if;
  elsif not exists (select from new_rows) then
    return null;
  end if;
  if figures_deferred() then
    return null;
  end if;
  if tg_op = 'INSERT' then
    ids := array(select id from new_rows);
    residents := array(select distinct resident_id from new_rows
                        where kind = 'companionship' and parent_id is null
                          and matched_at is not null and volunteer_id is not null);
  elsif tg_op = 'UPDATE' then
    ids := array(select n.id from new_rows n join old_rows o on o.id = n.id
                  where (n.wijk_code, n.kind, n.created_at, n.parent_id, n.status, n.first_offer_at, n.matched_at,
                         n.hours_spent, n.volunteer_id, n.resident_id)
                        is distinct from
                        (o.wijk_code, o.kind, o.created_at, o.parent_id, o.status, o.first_offer_at, o.matched_at,
                         o.hours_spent, o.volunteer_id, o.resident_id));
    residents := array(select distinct x.resident
                         from new_rows n join old_rows o on o.id = n.id,
                              lateral (values (n.resident_id), (o.resident_id)) x (resident)
                        where (n.kind = 'companionship' or o.kind = 'companionship')
                          and (n.kind, n.created_at, n.parent_id, n.matched_at, n.volunteer_id, n.resident_id)
                              is distinct from
                              (o.kind, o.created_at, o.parent_id, o.matched_at, o.volunteer_id, o.resident_id)
                          and x.resident is not null
                          and exists (select from help_request later
                                       where later.resident_id = x.resident
                                         and later.created_at > least(n.created_at, o.created_at)
                                         and later.kind = 'companionship' and later.parent_id is null
                                         and later.id <> n.id));
  else
    ids := '{}';
    residents := array(select distinct resident_id from old_rows where kind = 'companionship');
  end if;
  if cardinality(ids) > 0 or cardinality(residents) > 0 then
    perform figures_mark(ids, residents);
  end if;
  return null;
end
$$;
