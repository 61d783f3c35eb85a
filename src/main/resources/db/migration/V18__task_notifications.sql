-- Matching keeps every volunteer's tasks in memory (matching.TaskLedger) instead of reading each candidate's
-- requests for every round: that read was a quarter of a new request's database time (issue #6). Every change
-- that moves a request to or from a volunteer, or changes what the candidates' facts read of it (whether it
-- counts as the volunteer's task, its start, its match time, its resident), is sent to every instance on commit
-- (NOTIFY omzien_task) with the row's whole new state, so applying them in commit order gives the committed state
-- whatever state an instance started from (see TaskLedger). Rows without a volunteer before or after send nothing:
-- a new request and its offer rounds cost no notification.
--
-- Payloads (space separated; '-' for none):
--   task <request> <old volunteer> <new volunteer> <resident> <counts 0|1> <starts ms> <matched ms> <µs>
--   reset                            (help_request truncated)
-- and, from matching.TaskLedger itself, "sync <token>" (a marker: everything committed before it has been heard).
-- The last field of a task (the clock, in microseconds) keeps the notifications of one transaction distinct:
-- PostgreSQL drops a payload it already queued in the same transaction, so a row moved from volunteer A to B, back
-- to A and again to B would otherwise end with A.
create function omzien_notify_task() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    perform pg_notify('omzien_task', 'reset');
  elsif tg_op = 'DELETE' then
    perform pg_notify('omzien_task', concat_ws(' ', 'task', old.id::text, old.volunteer_id::text, '-', '-', '0', '0',
        '-', (extract(epoch from clock_timestamp()) * 1000000)::int8::text));
  else
    perform pg_notify('omzien_task', concat_ws(' ', 'task', new.id::text,
        case when tg_op = 'UPDATE' then coalesce(old.volunteer_id::text, '-') else '-' end,
        coalesce(new.volunteer_id::text, '-'), new.resident_id::text,
        case when new.status in ('matched', 'completed') then '1' else '0' end,
        (extract(epoch from new.first_starts_at) * 1000)::int8::text,
        coalesce((extract(epoch from new.matched_at) * 1000)::int8::text, '-'),
        (extract(epoch from clock_timestamp()) * 1000000)::int8::text));
  end if;
  return null;
end
$$;

create trigger help_request_task_inserted after insert on help_request
  for each row when (new.volunteer_id is not null) execute function omzien_notify_task();
create trigger help_request_task_changed after update on help_request
  for each row when ((old.volunteer_id is not null or new.volunteer_id is not null)
                     and (old.volunteer_id is distinct from new.volunteer_id
                          or (old.status in ('matched', 'completed')) is distinct from (new.status in ('matched', 'completed'))
                          or old.first_starts_at is distinct from new.first_starts_at
                          or old.matched_at is distinct from new.matched_at
                          or old.resident_id is distinct from new.resident_id))
  execute function omzien_notify_task();
create trigger help_request_task_deleted after delete on help_request
  for each row when (old.volunteer_id is not null) execute function omzien_notify_task();
create trigger help_request_truncated after truncate on help_request
  for each statement execute function omzien_notify_task();
