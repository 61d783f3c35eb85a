-- Quiet hours per person (Europe/Amsterdam wall-clock times). Both null: the deployment's default
-- (OMZIEN_PUSH_QUIET_START/END); start = end: no quiet hours at all.
alter table app_user
  add column quiet_start time,
  add column quiet_end   time,
  add constraint app_user_quiet_both check ((quiet_start is null) = (quiet_end is null));

-- When a message could first be sent before quiet hours were applied (now, or a reminder's time), so that a
-- change of someone's quiet hours can move their waiting messages. Null for rows written before this column:
-- those keep their due time.
alter table push_outbox add column not_before timestamptz;
