-- Figures (KPIs per wijk and period, nl.omzien.reports): indexes for the few look-ups that are not a scan of
-- one period's requests. Everything else is computed from the tables the services write; there is no rollup
-- to keep current.

-- "Was this request ever escalated?": escalations are a few percent of the history, looked up by period.
create index help_request_history_escalated on help_request_history (at, request_id) where to_status = 'escalated';

-- Help that is waiting right now, per wijk (the map's "waiting now" and the open queue).
create index help_request_waiting on help_request (wijk_code, created_at)
  where status in ('open', 'offered', 'escalated');

-- "Did this resident sign up for an activity within N days after asking for company?"
create index activity_signup_by_user_created on activity_signup (user_id, created_at) where status = 'active';

-- Sign-ups per period.
create index activity_signup_occurs_on on activity_signup (occurs_on) where status = 'active';

-- Offers per request with their status and reason, so figures read the index only (a year of a city is ~200k offers).
create index offer_request_status_reason on offer (request_id) include (status, decline_reason);
