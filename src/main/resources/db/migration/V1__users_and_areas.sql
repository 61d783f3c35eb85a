-- People: one row per person, whatever roles they hold. Personal fields are erasable (deleted_at + blanking).
create table app_user (
  id               uuid primary key,
  external_subject text unique,                 -- e.g. 'firebase:<uid>'; null for demo/test users
  display_name     text not null default '',
  language         text,                        -- null until the person chooses; pushes then use the device's
  phone            text,
  roles            text[] not null default array['resident'],
  wijken           text[] not null default '{}', -- CBS wijk codes an ambassador looks after
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  deleted_at       timestamptz,
  constraint app_user_roles_known check (roles <@ array['resident','volunteer','organiser','ambassador','admin']),
  constraint app_user_language_known check (language is null or language in ('nl', 'en'))
);

-- Reference geography (CBS 2024): wijken and buurten. Polygons live in the jar (geo/); these rows carry codes,
-- names and population for joins and figures.
create table wijk (
  code              text primary key,
  name              text not null,
  population        integer,
  population_65plus integer
);

create table buurt (
  code              text primary key,
  name              text not null,
  wijk_code         text not null references wijk (code),
  population        integer,
  population_65plus integer,
  centroid_lat      double precision not null,
  centroid_lon      double precision not null
);

-- Which demo data sets were loaded, so a restart never loads them twice.
create table demo_seed (
  name      text primary key,
  loaded_at timestamptz not null default now()
);
