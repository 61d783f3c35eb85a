-- Every new request fires three figures triggers (V10, V15, V17): the request's, its offers' and its history's. Each
-- was a PL/pgSQL function that looked at its transition table, checked the deferral, built an array and handed it to
-- figures_mark, five to seven SQL statements per call, each with its own executor start; together about a tenth of
-- the database's CPU time when creating (with the three insert triggers disabled a create run went ~10 % faster;
-- issue #6). The marks are the same, made in fewer statements:
-- - an insert of requests or offers marks with one INSERT into figures_dirty, straight from the transition table
--   (figures_mark's union folded duplicates: here the ids of a request insert are distinct anyway, and an offer
--   insert's requests are made distinct);
-- - a history entry can move a figure only as an escalation (escalated_at): the insert trigger is now a row trigger
--   with a WHEN condition, so the usual entries (created, offered, matched, ...) cost no call at all.
-- Updates and deletes keep their V15/V17 triggers: they compare old and new rows, and are rarer.
-- FiguresTriggersTest counts the marking calls; FiguresFactsTest checks the facts against their source views.

create function figures_on_request_insert() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  -- A new request is marked itself; its resident only when it is inserted matched (V17).
  insert into figures_dirty (kind, id)
  select 'request', id from new_rows
  union all
  select distinct 'resident', resident_id from new_rows
   where kind = 'companionship' and parent_id is null and matched_at is not null and volunteer_id is not null
     and resident_id is not null;
  return null;
end
$$;

create function figures_on_offer_insert() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  insert into figures_dirty (kind, id) select distinct 'request', request_id from new_rows;
  return null;
end
$$;

create function figures_on_history_escalated() returns trigger language plpgsql as $$
begin
  if figures_deferred() then
    return null;
  end if;
  insert into figures_dirty (kind, id) values ('request', new.request_id);
  return null;
end
$$;

drop trigger figures_request_inserted on help_request;
create trigger figures_request_inserted after insert on help_request
  referencing new table as new_rows for each statement execute function figures_on_request_insert();

drop trigger figures_offer_inserted on offer;
create trigger figures_offer_inserted after insert on offer
  referencing new table as new_rows for each statement execute function figures_on_offer_insert();

drop trigger figures_history_inserted on help_request_history;
create trigger figures_history_escalated after insert on help_request_history
  for each row when (new.to_status = 'escalated') execute function figures_on_history_escalated();
