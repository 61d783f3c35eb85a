-- Matching: offer rounds, the match, completion, the ambassador's manual actions (audited), feedback,
-- mantelzorgers (family carers) and the occurrences of recurring companionship.

-- 'referred': sent on to the buurtteam (professional care) by an ambassador; a final status.
alter table help_request drop constraint help_request_status_check;
alter table help_request add constraint help_request_status_check
  check (status in ('open', 'offered', 'matched', 'completed', 'cancelled', 'expired', 'escalated', 'referred'));

alter table help_request
  add column volunteer_id   uuid references app_user (id),   -- the matched volunteer (kept after completion)
  add column round          smallint not null default 0,     -- the last offer round run
  add column next_round_at  timestamptz,                     -- when the matcher must act next (null: nothing due)
  add column first_offer_at timestamptz,
  add column matched_at     timestamptz,
  add column completed_at   timestamptz,
  add column hours_spent    numeric(4, 1) check (hours_spent > 0 and hours_spent <= 24),
  add column parent_id      uuid references help_request (id) on delete cascade; -- re-matching one occurrence
create index help_request_due on help_request (next_round_at) where next_round_at is not null;
create index help_request_volunteer on help_request (volunteer_id, first_starts_at) where volunteer_id is not null;
create index help_request_created on help_request (created_at);

-- One offer per (request, volunteer): nobody is asked twice for the same request.
create table offer (
  id             uuid primary key,
  request_id     uuid not null references help_request (id) on delete cascade,
  volunteer_id   uuid not null references app_user (id) on delete cascade,
  round          smallint not null,
  status         text not null default 'pending'
                 check (status in ('pending', 'accepted', 'declined', 'filled', 'withdrawn', 'rejected')),
  score          double precision not null,
  breakdown      jsonb not null,                               -- why this volunteer: the weighted parts of the score
  distance_m     integer not null check (distance_m >= 0),
  created_at     timestamptz not null default now(),
  responded_at   timestamptz,
  decline_reason text check (length(decline_reason) <= 500),
  unique (request_id, volunteer_id)
);
create index offer_volunteer on offer (volunteer_id, status, created_at desc);
create index offer_request on offer (request_id, status);

-- The resident declined this volunteer for this request: matching never proposes them again for it.
create table match_exclusion (
  request_id   uuid not null references help_request (id) on delete cascade,
  volunteer_id uuid not null references app_user (id) on delete cascade,
  at           timestamptz not null default now(),
  reason       text check (length(reason) <= 500),
  primary key (request_id, volunteer_id)
);

-- Recurring companionship: the planned occurrences of a matched request. A volunteer who cancels one
-- occurrence leaves the others in place; that one is re-matched as a child request (help_request.parent_id).
create table request_occurrence (
  request_id     uuid not null references help_request (id) on delete cascade,
  starts_at      timestamptz not null,
  ends_at        timestamptz not null,
  volunteer_id   uuid references app_user (id),
  status         text not null default 'planned' check (status in ('planned', 'rematching', 'cancelled')),
  replacement_id uuid references help_request (id) on delete set null,
  primary key (request_id, starts_at),
  check (ends_at > starts_at)
);

-- Every manual action of an ambassador (or admin): assigning a volunteer by hand, referring to the buurtteam.
create table manual_action (
  id           bigserial primary key,
  request_id   uuid not null references help_request (id) on delete cascade,
  actor_id     uuid not null references app_user (id),
  action       text not null check (action in ('assign', 'refer_buurtteam', 'reopen')),
  volunteer_id uuid references app_user (id),
  reason       text not null check (length(reason) between 1 and 500),
  at           timestamptz not null default now()
);
create index manual_action_request on manual_action (request_id, id);

-- Private feedback after the help (seen by the wijk's ambassadors and admins, never public).
create table feedback (
  request_id uuid not null references help_request (id) on delete cascade,
  role       text not null check (role in ('resident', 'volunteer')),
  author_id  uuid references app_user (id) on delete set null,
  rating     smallint not null check (rating between 1 and 5),
  comment    text check (length(comment) <= 1000),
  at         timestamptz not null default now(),
  primary key (request_id, role)
);

-- A mantelzorger (family carer) asks on behalf of the person they care for, who may have no phone at all.
create table care_relation (
  carer_id      uuid not null references app_user (id) on delete cascade,
  cared_for_id  uuid not null references app_user (id) on delete cascade,
  relationship  text not null check (relationship in ('partner', 'child', 'parent', 'family', 'friend', 'neighbour')),
  created_at    timestamptz not null default now(),
  primary key (carer_id, cared_for_id),
  check (carer_id <> cared_for_id)
);
create index care_relation_cared_for on care_relation (cared_for_id);
