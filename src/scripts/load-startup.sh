#!/usr/bin/env bash
# Start-up and heap at national scale (issue #6): generate 1,000,000 volunteers into a fresh embedded PostgreSQL,
# start Omzien once (it loads the demo data and builds its indexes), stop it, then start it again as a restart
# would and time process start to GET /health/ready = 200; then force a full GC and read the heap in use
# (jcmd GC.heap_info, plus the largest classes). The timed start runs with -Xmx512m, so it also shows that the
# server starts and answers with 1M volunteers indexed in a 512 MB heap.
# Usage: src/scripts/load-startup.sh [--no-build] [--keep] [--xmx SIZE] [--data DIR]
#   --xmx SIZE  heap limit of the timed start (default 512m); --keep keeps the generated data directory, and
#   --data DIR  reuses one (skips generating; the first start then finds the demo data already loaded)
#   --volunteers N  after the first start, keep only the first N volunteers (e.g. 100000), then time the restart
# Output: target/load/startup-<time>/{generate.log,server-*.log,heap.txt,summary.txt}
set -euo pipefail
cd "$(dirname "$0")/../.."
build=1 keep=0 xmx=512m data="" volunteers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --xmx) xmx=$2; shift 2 ;;
    --data) data=$(cd "$2" && pwd); shift 2 ;;
    --volunteers) volunteers=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$build" = 1 ] || [ ! -f target/omzien.jar ]; then
  mvn -q -B -o package -Dmaven.test.skip.exec=true
fi
run=target/load/startup-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
run=$(cd "$run" && pwd)
port=${LOAD_PORT:-18080}
export OMZIEN_DATA_DIR="$run/data" OMZIEN_HTTP_PORT=$port OMZIEN_RATE_LIMIT_ENABLED=false
pid=""
cleanup() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [ "$keep" = 1 ] || rm -rf "$run/data"
}
trap cleanup EXIT
summary() { echo "$*" | tee -a "$run/summary.txt"; }
summary "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB;" \
        "$(java -version 2>&1 | head -1); load: $(uptime | sed 's/.*load average: //')"

if [ -n "$data" ]; then
  export OMZIEN_DATA_DIR=$data   # generated earlier (--keep); never deleted here
  keep=1
else
  t0=$(date +%s%N)
  java -jar target/omzien.jar generate --scale national --seed 42 > "$run/generate.log" 2>&1
  summary "generate --scale national: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi

# start LABEL JVM_OPTS...: starts the server (pid), waits for readiness, sets ready_ms to the milliseconds it took
start() {
  local label=$1; shift
  local started
  started=$(date +%s%N)
  java "$@" -jar target/omzien.jar > "$run/server-$label.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$run/server-$label.log"; exit 1; }
    sleep 0.02
  done
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

start first
summary "first start (demo data loaded once, indexes built): $ready_ms ms to ready"
if [ -n "$volunteers" ]; then
  # Keep the first N volunteers (by seq). Triggers off for this session (superuser): the index's NOTIFY trigger
  # would announce every deleted row, and with it the cascade to availability, which is deleted first.
  pg_port=$(sed -n 4p "$OMZIEN_DATA_DIR/pg/postmaster.pid")
  psql -q -h localhost -p "$pg_port" -U postgres omzien <<SQL
set session_replication_role = replica;
create temp table gone as select user_id from volunteer_profile order by seq offset $volunteers;
delete from volunteer_availability where volunteer_id in (select user_id from gone);
delete from volunteer_profile where user_id in (select user_id from gone);
vacuum analyze volunteer_profile;
vacuum analyze volunteer_availability;
SQL
  summary "kept $(psql -At -h localhost -p "$pg_port" -U postgres omzien -c 'select count(*) from volunteer_profile') volunteers"
fi
stop
start timed "-Xmx$xmx"
summary "restart with -Xmx$xmx: $ready_ms ms from process start to /health/ready = 200"
grep -E "volunteer index|embedded PostgreSQL ready|listening" "$run/server-timed.log" | sed 's/^/   /' | tee -a "$run/summary.txt"
# It answers: a matching-heavy read and the index's own view.
token=$(java -jar target/omzien.jar token --user fatima 2>/dev/null)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/ambassador/queue" -H "Authorization: Bearer $token")
summary "GET /v1/ambassador/queue after start: $code"
jcmd "$pid" GC.run > /dev/null
sleep 1
jcmd "$pid" GC.run > /dev/null
jcmd "$pid" GC.heap_info > "$run/heap.txt"
jcmd "$pid" GC.class_histogram | head -15 >> "$run/heap.txt"
used=$(sed -n 's/.*garbage-first heap *total [0-9]*K, used \([0-9]*\)K.*/\1/p' "$run/heap.txt")
summary "heap in use after full GC with $(grep -o 'volunteer index: [0-9]*' "$run/server-timed.log" | grep -o '[0-9]*$') volunteers indexed: $(( used / 1024 )) MB (limit -Xmx$xmx)"
summary "process RSS: $(( $(ps -o rss= -p "$pid") / 1024 )) MB"
stop
echo "details: $run"
