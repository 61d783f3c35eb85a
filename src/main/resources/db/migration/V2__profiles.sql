-- Where a resident lives. Address and point are personal data: shown to a volunteer only after a match.
-- wijk/buurt are derived from the point (geo.AreaIndex), never typed in.
create table resident_profile (
  user_id    uuid primary key references app_user (id) on delete cascade,
  address    text not null,
  lat        double precision not null check (lat between -90 and 90),
  lon        double precision not null check (lon between -180 and 180),
  buurt_code text references buurt (code),
  wijk_code  text references wijk (code),
  updated_at timestamptz not null default now()
);
create index resident_profile_wijk on resident_profile (wijk_code);

-- What a volunteer offers. The matching index (geo.PointIndex) is a read-optimised copy of these rows.
create table volunteer_profile (
  user_id       uuid primary key references app_user (id) on delete cascade,
  lat           double precision not null check (lat between -90 and 90),
  lon           double precision not null check (lon between -180 and 180),
  buurt_code    text references buurt (code),
  wijk_code     text references wijk (code),
  travel_km     numeric(4, 1) not null check (travel_km > 0 and travel_km <= 50),
  transport     text[] not null default '{}'
                check (transport <@ array['car', 'wheelchair_car', 'bike', 'on_foot']),
  skills        text[] not null default '{}',
  languages     text[] not null default array['nl'],
  vog_issued_on date,
  weekly_cap    integer not null default 3 check (weekly_cap between 1 and 20),
  paused        boolean not null default false,
  updated_at    timestamptz not null default now()
);
create index volunteer_profile_wijk on volunteer_profile (wijk_code);

-- Weekly availability in local time (Europe/Amsterdam); ISO day of week 1 = Monday.
create table volunteer_availability (
  volunteer_id uuid not null references volunteer_profile (user_id) on delete cascade,
  day_of_week  smallint not null check (day_of_week between 1 and 7),
  start_time   time not null,
  end_time     time not null,
  primary key (volunteer_id, day_of_week, start_time),
  check (end_time > start_time)
);
