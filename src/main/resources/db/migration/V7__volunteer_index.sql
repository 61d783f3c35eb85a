-- The matching index (matching.VolunteerIndex) keys volunteers by a number, and hears about every change to a
-- volunteer's profile or availability, made by any instance, through LISTEN/NOTIFY (payload: the user id).
-- Notifications are sent on commit only; identical ones within one transaction are folded into one.
alter table volunteer_profile add column seq bigint generated always as identity;
alter table volunteer_profile add constraint volunteer_profile_seq unique (seq);

create function omzien_notify_volunteer() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'volunteer_profile' then
    perform pg_notify('omzien_volunteer', coalesce(new.user_id, old.user_id)::text);
  else
    perform pg_notify('omzien_volunteer', coalesce(new.volunteer_id, old.volunteer_id)::text);
  end if;
  return null;
end
$$;

create trigger volunteer_profile_changed after insert or update or delete on volunteer_profile
  for each row execute function omzien_notify_volunteer();
create trigger volunteer_availability_changed after insert or update or delete on volunteer_availability
  for each row execute function omzien_notify_volunteer();
