-- Buurtcentra and partner organisations, their venues and activities, and residents' sign-ups.
-- V2 is reserved for another branch; this migration depends on V1 only.

create table organisation (
  id         uuid primary key,
  name       text not null,
  kind       text not null,
  created_at timestamptz not null default now(),
  constraint organisation_kind_known check (kind in ('buurtcentrum', 'partner'))
);

-- Who organises for which organisation. No foreign key to app_user: a person's row appears only when they
-- first save a profile, and an admin may add an organiser before that.
create table organisation_member (
  user_id         uuid not null,
  organisation_id uuid not null references organisation (id) on delete cascade,
  added_at        timestamptz not null default now(),
  primary key (user_id, organisation_id)
);
create index organisation_member_by_organisation on organisation_member (organisation_id);

-- A place where activities happen. wijk/buurt are derived from the point (AreaIndex), never typed in.
create table venue (
  id              uuid primary key,
  organisation_id uuid not null references organisation (id) on delete cascade,
  name            text not null,
  address         text,
  lat             double precision not null,
  lon             double precision not null,
  wijk_code       text not null,
  wijk_name       text not null,
  buurt_code      text not null,
  buurt_name      text not null,
  created_at      timestamptz not null default now()
);
create index venue_by_organisation on venue (organisation_id);

-- An activity: one-off (starts_at/ends_at) or weekly (day_of_week 1 = Monday .. 7 = Sunday, local times in
-- Europe/Amsterdam, first/last date inclusive). seq is the in-memory index's numeric id; version orders
-- index updates.
create table activity (
  id              uuid primary key,
  seq             bigserial not null unique,
  organisation_id uuid not null references organisation (id) on delete cascade,
  venue_id        uuid not null references venue (id),
  title           text not null,
  description     text not null default '',
  category        text not null,
  schedule_kind   text not null,
  starts_at       timestamptz,
  ends_at         timestamptz,
  day_of_week     smallint,
  start_time      time,
  end_time        time,
  first_date      date,
  last_date       date,
  price_cents     integer not null default 0,
  upas_discount   boolean not null default false,
  wheelchair      boolean not null default false,
  hearing_loop    boolean not null default false,
  capacity        integer not null,
  status          text not null default 'active',
  version         bigint not null default 1,
  idempotency_key text,
  created_by      uuid not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint activity_category_known check (category in
    ('open_inloop', 'maaltijd', 'bewegen', 'creatief', 'ontmoeting', 'cultuur', 'digitaal', 'other')),
  constraint activity_status_known check (status in ('active', 'cancelled')),
  constraint activity_capacity_range check (capacity between 1 and 500),
  constraint activity_price_range check (price_cents between 0 and 100000),
  constraint activity_schedule_shape check (
    (schedule_kind = 'once' and starts_at is not null and ends_at > starts_at
       and day_of_week is null and start_time is null and end_time is null and first_date is null and last_date is null)
    or
    (schedule_kind = 'weekly' and day_of_week between 1 and 7 and end_time > start_time
       and last_date >= first_date and starts_at is null and ends_at is null)),
  constraint activity_idempotency unique (organisation_id, idempotency_key)
);
create index activity_by_organisation on activity (organisation_id, created_at);

-- One row per occurrence that has had a sign-up: the seat counter that makes capacity hold under
-- concurrency (sign-ups lock this row, then take a seat with taken < capacity).
create table activity_occurrence (
  activity_id uuid not null references activity (id) on delete cascade,
  occurs_on   date not null,
  capacity    integer not null,
  taken       integer not null default 0,
  primary key (activity_id, occurs_on),
  constraint occurrence_within_capacity check (taken between 0 and capacity)
);

-- A resident's seat at one occurrence; cancelled ones stay for history. One row per person and occurrence:
-- signing up again after cancelling re-activates it.
create table activity_signup (
  id           uuid primary key,
  activity_id  uuid not null,
  occurs_on    date not null,
  user_id      uuid not null,
  status       text not null default 'active',
  created_at   timestamptz not null default now(),
  cancelled_at timestamptz,
  constraint signup_status_known check (status in ('active', 'cancelled')),
  constraint signup_once_per_person unique (activity_id, occurs_on, user_id),
  foreign key (activity_id, occurs_on) references activity_occurrence (activity_id, occurs_on) on delete cascade
);
create index activity_signup_by_user on activity_signup (user_id, occurs_on);
