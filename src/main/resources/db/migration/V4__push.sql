-- Push delivery: the devices that receive pushes, and the outbox other capabilities write in their own
-- transaction (a notification exists if and only if the change that caused it committed).

-- One row per app installation. The FCM registration token identifies the installation: registering a
-- token that exists moves it to the caller. No foreign key to app_user: a signed-in person may register a
-- device before creating a profile.
create table push_device (
  id                 uuid primary key,
  user_id            uuid not null,
  token              text not null unique check (length(token) between 1 and 4096),
  platform           text not null check (platform in ('android', 'ios', 'web')),
  app_version        text not null,
  locale             text not null default 'nl' check (locale in ('nl', 'en')),
  active             boolean not null default true,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  deactivated_reason text
);
create index push_device_user_active on push_device (user_id) where active;

-- One row per notification; id is the stable messageId the app deduplicates by.
-- status: pending -> sending -> sent | pending (retry) | dead (gave up; an admin may retry);
--         suppressed: never sent on purpose (per-user cap), last_error says why ('capped').
create table push_outbox (
  id          uuid primary key,
  user_id     uuid not null,
  kind        text not null,
  urgent      boolean not null default false,
  offer_id    uuid,
  request_id  uuid,
  activity_id uuid,
  params      jsonb not null default '{}',  -- PushParams only: category code, instant, metres, count, lead
  status      text not null default 'pending'
              check (status in ('pending', 'sending', 'sent', 'dead', 'suppressed')),
  attempts    integer not null default 0,
  due_at      timestamptz not null,
  lease_until timestamptz,                  -- while 'sending': after this a crashed worker's claim expires
  claim_id    uuid,                         -- which claim may record the outcome (a late worker may not)
  last_error  text,
  created_at  timestamptz not null,
  sent_at     timestamptz
);
create index push_outbox_due on push_outbox (due_at) where status = 'pending';
create index push_outbox_lease on push_outbox (lease_until) where status = 'sending';
create index push_outbox_dead on push_outbox (created_at desc, id desc) where status = 'dead';
create index push_outbox_user_kind on push_outbox (user_id, kind, created_at);
