-- The figures' statement-level triggers (V10) fire for every UPDATE statement, also one that changed no row, and
-- called figures_mark even when nothing they saw could move a figure. Under contention that is most of their calls:
-- two of every three accepts lose the race, and their conditional UPDATEs of help_request and offer change nothing;
-- a match fills the other offers (pending -> filled: no figure moves); most history rows are not escalations.
-- Same marks as before; a statement that touched no row now costs one look at its transition table, and an empty
-- mark no call.

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
    residents := array(select distinct resident_id from new_rows where kind = 'companionship');
  elsif tg_op = 'UPDATE' then
    ids := array(select n.id from new_rows n join old_rows o on o.id = n.id
                  where (n.wijk_code, n.kind, n.created_at, n.parent_id, n.status, n.first_offer_at, n.matched_at,
                         n.hours_spent, n.volunteer_id, n.resident_id)
                        is distinct from
                        (o.wijk_code, o.kind, o.created_at, o.parent_id, o.status, o.first_offer_at, o.matched_at,
                         o.hours_spent, o.volunteer_id, o.resident_id));
    residents := array(select x.resident
                         from new_rows n join old_rows o on o.id = n.id,
                              lateral (values (n.resident_id), (o.resident_id)) x (resident)
                        where (n.kind = 'companionship' or o.kind = 'companionship')
                          and (n.kind, n.created_at, n.parent_id, n.matched_at, n.volunteer_id, n.resident_id)
                              is distinct from
                              (o.kind, o.created_at, o.parent_id, o.matched_at, o.volunteer_id, o.resident_id));
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

create or replace function figures_on_history() returns trigger language plpgsql as $$
declare
  ids uuid[];
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
    ids := array(select distinct request_id from new_rows where to_status = 'escalated');
  elsif tg_op = 'UPDATE' then
    ids := array(select x.request_id
                   from new_rows n join old_rows o on o.id = n.id,
                        lateral (values (n.request_id), (o.request_id)) x (request_id)
                  where (n.to_status = 'escalated' or o.to_status = 'escalated')
                    and (n.request_id, n.to_status, n.at) is distinct from (o.request_id, o.to_status, o.at));
  else
    ids := array(select distinct request_id from old_rows where to_status = 'escalated');
  end if;
  if cardinality(ids) > 0 then
    perform figures_mark(ids);
  end if;
  return null;
end
$$;

create or replace function figures_on_offer() returns trigger language plpgsql as $$
declare
  ids uuid[];
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
    ids := array(select distinct request_id from new_rows);
  elsif tg_op = 'UPDATE' then
    -- Most updates move an offer between pending, accepted, filled and withdrawn: no figure changes.
    ids := array(select x.request_id
                   from new_rows n join old_rows o on o.id = n.id,
                        lateral (values (n.request_id), (o.request_id)) x (request_id)
                  where n.request_id <> o.request_id
                     or (n.status = 'declined') <> (o.status = 'declined')
                     or (n.status = 'declined' and n.decline_reason is distinct from o.decline_reason));
  else
    ids := array(select distinct request_id from old_rows);
  end if;
  if cardinality(ids) > 0 then
    perform figures_mark(ids);
  end if;
  return null;
end
$$;
