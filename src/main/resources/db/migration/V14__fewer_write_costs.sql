-- Two indexes every help request and offer write paid for, which no query needs (the load runs' create and accept
-- paths are PostgreSQL-bound; each status change of a request or an offer is a non-HOT update that inserts into every
-- index of the table):
--  * help_request_wijk_status (wijk_code, status, created_at), from V5, before the partial help_request_waiting
--    (V8). Every query by wijk and status asks for waiting requests (the ambassador's queue, the figures' waiting
--    now, the escalated count of a wijk), which help_request_waiting answers; figures read figures_request (V10).
--  * offer_request (request_id, status), from V6: offer_request_status_reason (V8: request_id, including status
--    and decline_reason) finds a request's offers as well, and the unique (request_id, volunteer_id) key too.
drop index help_request_wijk_status;
drop index offer_request;
