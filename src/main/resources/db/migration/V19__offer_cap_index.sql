-- The offer cap (PushOutbox) counts a user's offer pushes of the last 24 hours that were not suppressed, up to the
-- cap. Through push_outbox_user_kind PostgreSQL read every offer push of the window first (a bitmap of all of
-- them), suppressed ones included, and a volunteer whom a busy wijk keeps offering collects hundreds of those: in a
-- create run the statement grew from 0.11 to 1.03 ms as they piled up (issue #6, README "Load runs" item 20). This
-- index holds only the rows the cap counts, so the count reads at most the cap's worth of entries. A suppressed push
-- never enters it, and status changes already could not be HOT updates (the partial indexes of V4 name status).
create index push_outbox_offer_cap on push_outbox (user_id, created_at)
  where kind = 'offer_made' and status <> 'suppressed';
