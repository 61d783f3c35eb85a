-- Hulpvragen. The kind-specific fields (transport / companionship / respite) are validated by the contract and
-- kept as jsonb; everything matching and reporting filter on is a real column.
create table help_request (
  id              uuid primary key,
  resident_id     uuid not null references app_user (id),   -- who needs the help
  created_by      uuid not null references app_user (id),   -- the resident, or an ambassador entering it for them
  proxy_consent   jsonb,                                    -- ambassador entry: who consented, how, when
  kind            text not null check (kind in ('transport', 'companionship', 'respite')),
  status          text not null default 'open'
                  check (status in ('open', 'offered', 'matched', 'completed', 'cancelled', 'expired', 'escalated')),
  urgency         text not null check (urgency in ('low', 'normal', 'high')),
  details         jsonb not null,
  note            text check (length(note) <= 1000),
  lat             double precision not null check (lat between -90 and 90),
  lon             double precision not null check (lon between -180 and 180),
  buurt_code      text references buurt (code),
  wijk_code       text references wijk (code),
  first_starts_at timestamptz not null,                     -- earliest time window start, for queues and expiry
  idempotency_key text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (created_by, idempotency_key)
);
create index help_request_resident on help_request (resident_id, created_at desc);
create index help_request_wijk_status on help_request (wijk_code, status, created_at);

-- One or more time windows per request (absolute instants; the app shows them in Europe/Amsterdam).
create table help_request_window (
  request_id uuid not null references help_request (id) on delete cascade,
  starts_at  timestamptz not null,
  ends_at    timestamptz not null,
  primary key (request_id, starts_at),
  check (ends_at > starts_at)
);

-- Every status change: who, when, from, to, why.
create table help_request_history (
  id          bigserial primary key,
  request_id  uuid not null references help_request (id) on delete cascade,
  at          timestamptz not null default now(),
  actor_id    uuid,
  from_status text,
  to_status   text not null,
  reason      text
);
create index help_request_history_request on help_request_history (request_id, id);
