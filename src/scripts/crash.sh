#!/usr/bin/env bash
# Crash test: kill -9 the server several times under a mixed write load and prove that nothing acknowledged
# is lost, that due offer rounds and pushes are processed after each restart, and that no push reaches the
# transport twice for one messageId.
#
#   src/scripts/crash.sh [kills] [--no-build]        (default 4 kills; takes about 3-4 minutes)
#
# PostgreSQL runs as its own cluster in target/crash/pg, outside the server process: the server is killed,
# the database is not, and every restart runs on the same data (DATABASE_URL). The push transport is the
# dry-run sender (FCM needs credentials and Google's endpoint): it logs one line per message handed to it,
# to the server log, synchronously, before the outbox row is marked sent, so the logs of all server lives
# together are the transport's record across kills. Exit status 0 only when every check passes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KILLS=4
BUILD=1
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    [0-9]*) KILLS=$arg ;;
    *) echo "usage: $0 [kills] [--no-build]" >&2; exit 2 ;;
  esac
done
WORK=$ROOT/target/crash
PG_PORT=${CRASH_PG_PORT:-18543}
HTTP_PORT=${CRASH_HTTP_PORT:-18180}
JWT_SECRET=crash-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# A short lease, so messages claimed by a killed server are taken over within seconds (default 120 s).
export OMZIEN_PUSH_LEASE_SECONDS=${OMZIEN_PUSH_LEASE_SECONDS:-10}
# shellcheck source=lib/common.sh
source "$ROOT/src/scripts/lib/common.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
SERVER_PID=
LOAD_PID=
cleanup() {
  set +e
  [[ -n $LOAD_PID ]] && kill "$LOAD_PID" 2>/dev/null || true
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  pg_stop
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

if ((BUILD)); then log "building"; build; fi
snapshot
CP=$(client_classpath)
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

log "PostgreSQL on port $PG_PORT (data $WORK/pg)"
pg_start "$PG_PORT"
log "server life 1"
server_start 1
: >"$WORK/events"

java -Xmx256m -cp "$CP" nl.omzien.faults.CrashLoad base="http://127.0.0.1:$HTTP_PORT" secret="$JWT_SECRET" \
  journal="$WORK/journal.csv" ready="$WORK/load.ready" stop="$WORK/load.stop" events="$WORK/events" \
  summary="$WORK/load-summary.json" rate="${CRASH_RATE:-80}" >"$WORK/load.log" 2>&1 &
LOAD_PID=$!
deadline=$((SECONDS + 180))
until [[ -f $WORK/load.ready ]]; do
  kill -0 "$LOAD_PID" 2>/dev/null || { echo "load client died in setup:" >&2; tail -30 "$WORK/load.log" >&2; exit 1; }
  ((SECONDS < deadline)) || { echo "load client setup took over 180 s" >&2; exit 1; }
  sleep 0.5
done
log "load running"

# backlog T: work that was due at T (epoch ms) and is not done: overdue offer rounds, unsent pushes.
backlog() {
  psql_q omzien "select
      (select count(*) from help_request where status in ('open', 'offered', 'escalated')
          and next_round_at <= to_timestamp($1 / 1000.0))
    + (select count(*) from help_request where status = 'open' and next_round_at is null),
      (select count(*) from push_outbox where status in ('pending', 'sending') and due_at <= to_timestamp($1 / 1000.0))"
}

RECOVERY=()
for ((life = 2; life <= KILLS + 1; life++)); do
  sleep $((8 + RANDOM % 10))
  killed=$(now_ms)
  echo "kill $killed" >>"$WORK/events"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  as_pg "$(pg_bin)/pg_ctl" -D "$WORK/pg" status >/dev/null || { echo "PostgreSQL died with the server" >&2; exit 1; }
  left=$(backlog "$killed" | tr '|' ' ')
  log "kill -9 #$((life - 1)) (server life $((life - 1))); left due at the kill: rounds/pushes = ${left/ //}"
  sleep $((1 + RANDOM % 3))
  server_start "$life"
  ready=$(now_ms)
  echo "ready $ready" >>"$WORK/events"
  # How long until everything that was due at the kill has been done by the new server life.
  until [[ $(backlog "$killed") == "0|0" ]]; do
    if (($(now_ms) - ready > 60000)); then log "backlog from kill $((life - 1)) not done after 60 s: $(backlog "$killed")"; break; fi
    sleep 0.2
  done
  secs=$(awk -v a="$(now_ms)" -v b="$ready" 'BEGIN { printf "%.1f", (a - b) / 1000 }')
  down=$(awk -v a="$ready" -v b="$killed" 'BEGIN { printf "%.1f", (a - b) / 1000 }')
  RECOVERY+=("kill $((life - 1)): down ${down} s; due at the kill (rounds/pushes): ${left/ //}; all done ${secs} s after ready")
  log "server life $life ready after ${down} s down; the backlog of the kill was done ${secs} s after ready"
done

sleep 10
touch "$WORK/load.stop"
wait "$LOAD_PID" || { echo "load client failed:" >&2; tail -30 "$WORK/load.log" >&2; exit 1; }
LOAD_PID=
stopped=$(now_ms)
log "load stopped; waiting for due work to settle"
until [[ $(psql_q omzien "select (select count(*) from help_request where status in ('open', 'offered', 'escalated')
            and next_round_at <= now() - interval '2 seconds')
          + (select count(*) from push_outbox where (status = 'pending' and due_at <= now() - interval '2 seconds')
            or status = 'sending')") == 0 ]]; do
  (($(now_ms) - stopped < 60000)) || break
  sleep 0.5
done
SETTLE=$(awk -v a="$(now_ms)" -v b="$stopped" 'BEGIN { printf "%.1f", (a - b) / 1000 }')

# ------------------------------------------------------------------------------------------ checks
grep -hoE 'push dry-run kind=[a-z_]+ messageId=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' \
  "$WORK"/server-*.log | sed -E 's/.*messageId=//' >"$WORK/sink.txt" || true
for f in "$WORK"/server-*.log; do
  n=${f##*server-}; n=${n%.log}
  grep -hoE 'push dry-run kind=[a-z_]+ messageId=[0-9a-f-]{36}' "$f" | sed -E "s/.*messageId=/$n,/" || true
done >"$WORK/sink-by-life.csv"
sort "$WORK/sink.txt" | uniq -c | awk '$1 > 1 { print $2 }' >"$WORK/duplicates.txt"

psql -X -q -h localhost -p "$PG_PORT" -U postgres -d omzien -tA -F '|' -v ON_ERROR_STOP=1 >"$WORK/checks.txt" <<SQL
create temp table j (kind text, a text, b text, c text);
\copy j from '$WORK/journal.csv' with (format csv)
create temp table sink (life int, id uuid);
\copy sink from '$WORK/sink-by-life.csv' with (format csv)
select 'acked_create', count(*) from j where kind = 'create';
select 'lost_create', count(*) from j where kind = 'create' and not exists
  (select 1 from help_request r where r.id = j.a::uuid and r.resident_id = j.b::uuid);
select 'acked_accept', count(*) from j where kind = 'accept';
select 'lost_accept', count(*) from j where kind = 'accept' and not exists
  (select 1 from help_request_history h where h.request_id = j.b::uuid and h.to_status = 'matched'
      and h.actor_id = j.c::uuid)
  or kind = 'accept' and not exists (select 1 from offer o where o.id = j.a::uuid and o.status in ('accepted', 'withdrawn'));
select 'acked_decline', count(*) from j where kind = 'decline';
select 'lost_decline', count(*) from j where kind = 'decline' and not exists
  (select 1 from offer o where o.id = j.a::uuid and o.volunteer_id = j.b::uuid and o.status = 'declined');
select 'acked_cancel', count(*) from j where kind = 'cancel';
select 'lost_cancel', count(*) from j where kind = 'cancel' and not exists
  (select 1 from help_request r where r.id = j.a::uuid and r.status = 'cancelled');
select 'acked_device', count(*) from j where kind = 'device';
select 'lost_device', count(*) from j where kind = 'device' and not exists
  (select 1 from push_device d where d.id = j.a::uuid and d.user_id = j.b::uuid);
select 'duplicate_requests', count(*) from (select 1 from help_request where idempotency_key is not null
  group by resident_id, idempotency_key having count(*) > 1) d;
select 'requests_total', count(*) from help_request where resident_id in (select b::uuid from j where kind = 'create');
select 'overdue_rounds', count(*) from help_request where status in ('open', 'offered', 'escalated')
  and (next_round_at <= now() - interval '2 seconds' or status = 'open' and next_round_at is null);
select 'overdue_pushes', count(*) from push_outbox where status = 'pending' and due_at <= now() - interval '2 seconds'
  or status = 'sending';
select 'outbox_sent', count(*) from push_outbox where status = 'sent';
select 'outbox_by_status', string_agg(status || '=' || n, ' ' order by status)
  from (select status, count(*) n from push_outbox group by status) s;
select 'sink_records', count(*) from sink;
select 'sink_messages', count(distinct id) from sink;
select 'sent_not_in_sink', count(*) from push_outbox o where o.status = 'sent' and not exists (select 1 from sink s where s.id = o.id);
select 'sink_not_sent', count(*) from (select distinct id from sink) s where not exists
  (select 1 from push_outbox o where o.id = s.id and o.status = 'sent');
select 'dup_same_life', count(*) from (select id, life from sink group by id, life having count(*) > 1) d;
select 'dup_across_kill', count(*) from (select id from sink group by id having count(*) > 1 and count(distinct life) = count(*)) d;
select 'rounds_run', count(*) from help_request_history where reason like 'offer round%';
select 'escalations', count(*) from help_request_history where to_status = 'escalated';
SQL
val() { awk -F'|' -v k="$1" '$1 == k { print $2 }' "$WORK/checks.txt"; }

S=$WORK/load-summary.json
j() { jq -r "$1" "$S"; }
lost=$(( $(val lost_create) + $(val lost_accept) + $(val lost_decline) + $(val lost_cancel) + $(val lost_device) ))
dups=$(wc -l <"$WORK/duplicates.txt")
five_out=$(j .outage.serverErrorsOutside)
five_in=$(j .outage.serverErrorsWhileDown)
# Every value that must be 0; the summary marks each one.
fail=0
for v in "$lost" "$dups" "$five_out" "$five_in" "$(val duplicate_requests)" "$(j .outage.transportErrorsOutside)" \
  "$(val overdue_rounds)" "$(val overdue_pushes)" "$(val sent_not_in_sink)" "$(val sink_not_sent)"; do
  [[ $v == 0 ]] || fail=1
done
verdict() { if [[ $2 == 0 ]]; then echo "ok"; else echo "FAIL"; fi; }

{
echo
echo "== crash test: $KILLS x kill -9 under mixed write load ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %s\n' "load duration" "$(j .seconds) s at ${CRASH_RATE:-80} calls/s target, $(j .retries) write retries"
printf '%-44s %s\n' "requests sent" "$(j .requestsSent)"
printf '%-44s %s\n' "  2xx / 409 (races) / other 4xx" "$(j .ok2xx) / $(j .expectedConflicts409) / $(j .unexpected4xx)"
printf '%-44s %s\n' "acknowledged writes" "$(j .ackedWrites) (create $(val acked_create), accept $(val acked_accept), decline $(val acked_decline), cancel $(val acked_cancel), device $(val acked_device))"
printf '%-44s %s\n' "faults injected (kill -9)" "$(j .outage.downWindows), $(j .outage.downSeconds) s down in total"
printf '%-44s %s  %s\n' "writes lost" "$lost" "$(verdict x "$lost")"
printf '%-44s %s  %s\n' "duplicate requests (same Idempotency-Key)" "$(val duplicate_requests)" "$(verdict x "$(val duplicate_requests)")"
printf '%-44s %s  %s\n' "5xx outside the down windows" "$five_out" "$(verdict x "$five_out")"
printf '%-44s %s  %s\n' "5xx while down" "$five_in" "$(verdict x "$five_in")"
printf '%-44s %s\n' "no answer while down (refused/reset)" "$(j .outage.transportErrorsWhileDown)"
printf '%-44s %s  %s\n' "no answer outside the down windows" "$(j .outage.transportErrorsOutside)" "$(verdict x "$(j .outage.transportErrorsOutside)")"
printf '%-44s %s\n' "offer rounds run / escalations" "$(val rounds_run) / $(val escalations)"
printf '%-44s %s  %s\n' "overdue rounds after settling (${SETTLE} s)" "$(val overdue_rounds)" "$(verdict x "$(val overdue_rounds)")"
printf '%-44s %s  %s\n' "due pushes unsent/claimed after settling" "$(val overdue_pushes)" "$(verdict x "$(val overdue_pushes)")"
printf '%-44s %s\n' "outbox rows by status" "$(val outbox_by_status)"
printf '%-44s %s\n' "transport (dry-run sink) records / messages" "$(val sink_records) / $(val sink_messages)"
printf '%-44s %s  %s\n' "sent rows the transport never saw" "$(val sent_not_in_sink)" "$(verdict x "$(val sent_not_in_sink)")"
printf '%-44s %s  %s\n' "transport records of rows not sent" "$(val sink_not_sent)" "$(verdict x "$(val sink_not_sent)")"
printf '%-44s %s  %s\n' "duplicate push sends (same messageId)" "$dups" "$(verdict x "$dups")"
printf '%-44s %s\n' "  of which within one server life / across a kill" "$(val dup_same_life) / $(val dup_across_kill)"
echo "recovery after each kill:"
for r in "${RECOVERY[@]}"; do echo "  $r"; done
if [[ $(j '.errorSamples | length') != 0 ]]; then
  echo "first errors seen by the client:"; j '.errorSamples[] | "  \(.at) \(.what): \(.detail)"'
fi
echo "files: $WORK (journal.csv, server-N.log, sink-by-life.csv, checks.txt, load-summary.json)"
if ((fail)); then echo "RESULT: FAIL"; else echo "RESULT: PASS"; fi
} | tee "$WORK/summary.txt"
exit $fail
