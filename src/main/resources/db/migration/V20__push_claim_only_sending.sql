-- A push carries a claim id only while it is being sent: every statement that ends or gives back a claim clears it
-- (PushWorker's RECORD, RECLAIM and RELEASE, PushOutbox's RETRY). The worker's RECORD relies on it: it matches rows
-- by claim id alone, without status = 'sending', so that PostgreSQL looks them up by primary key rather than through
-- the partial lease index, whose entries of rows already recorded pile up between vacuums (issue #6, README "Load
-- runs" item 22).
alter table push_outbox add constraint push_outbox_claim_only_sending
  check (claim_id is null or status = 'sending');
