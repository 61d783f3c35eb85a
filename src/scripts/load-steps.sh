#!/usr/bin/env bash
# One write scenario over time (issue #6): generate the city, start Omzien on its embedded PostgreSQL with
# pg_stat_statements loaded, and run the create scenario (wrk, as load.sh does) in back-to-back steps of 10 s. Per
# step it prints the rate, the CPU of the server JVM and of PostgreSQL's processes, and the WAL written (bytes,
# full-page images, checkpoints so far), and keeps the step's 25 costliest statements. This is how a rate that moves
# within a run is taken apart: which statements grow, whether checkpoints' full-page images or the JIT explain it.
#
# Usage: src/scripts/load-steps.sh [--steps N] [--no-build] [--keep] [--data DIR] [--pgss|--no-pgss]
#   --steps N   number of 10 s create steps (default 12)
#   --data DIR  copy this generated data directory (from load.sh --keep, or an earlier run) instead of generating
#   --no-pgss   without pg_stat_statements (its own cost is a few percent)
#   --keep      keep the run's database afterwards
# Environment: OMZIEN_* settings pass through to the server; JAVA_OPTS for the server JVM.
# Output: target/load/steps-<time>/{steps.txt,pgss-<step>.tsv,server.log,create.txt}; pgss-<step>.tsv has, per
# statement (tab separated): calls, total ms, ms per call, buffers hit and read per call, WAL bytes per call, query.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=12 build=1 keep=0 data="" pgss=1
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --data) data=$(cd "$2" && pwd); shift 2 ;;
    --pgss) pgss=1; shift ;;
    --no-pgss) pgss=0; shift ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
if [ "$build" = 1 ] || [ ! -f target/omzien.jar ] || [ ! -d target/test-classes/nl/omzien/bench/load ]; then
  mvn -q -B -o package -Dmaven.test.skip.exec=true
fi
run=target/load/steps-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
run=$(cd "$run" && pwd)
cp_load="target/omzien.jar:target/test-classes"
port=${LOAD_PORT:-18082}
export OMZIEN_DATA_DIR="$run/data" OMZIEN_RATE_LIMIT_ENABLED=false OMZIEN_HTTP_PORT=$port OMZIEN_DEMO=true
export OMZIEN_HTTP_INSTANCES=${OMZIEN_HTTP_INSTANCES:-$(nproc)}
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ "$keep" = 1 ] || rm -rf "$run/data"
}
trap cleanup EXIT

if [ -n "$data" ]; then
  cp -a "$data" "$run/data"
else
  java -jar target/omzien.jar generate --scale city --seed 42 > "$run/generate.log" 2>&1 \
    || { cat "$run/generate.log"; exit 1; }
fi
if [ "$pgss" = 1 ]; then
  # Read at the postmaster's start; the embedded server keeps the rest of its settings.
  printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" \
    >> "$run/data/pg/postgresql.auto.conf"
fi

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar target/omzien.jar > "$run/server.log" 2>&1 &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { echo "server died:"; tail -20 "$run/server.log"; exit 1; }
  sleep 0.1
done
pg_port=$(sed -n 4p "$OMZIEN_DATA_DIR/pg/postmaster.pid")
sql() { psql -X -q -A -t -F $'\t' -h localhost -p "$pg_port" -U postgres -d omzien -c "$1"; }
[ "$pgss" = 1 ] && sql "create extension if not exists pg_stat_statements" > /dev/null
java -cp "$cp_load" nl.omzien.bench.load.LoadPlan --jdbc "jdbc:postgresql://localhost:$pg_port/omzien" --out "$run" \
  create 6000 | sed 's/^/   /'

# CPU ticks of the server and of PostgreSQL (ticks, pg_ticks); WAL so far.
# shellcheck source=lib/cpu.sh
. src/scripts/lib/cpu.sh
wal() { sql "select wal_bytes, wal_fpi, (select num_timed + num_requested from pg_stat_checkpointer) from pg_stat_wal"; }

{
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load: $(uptime | sed 's/.*load average: //')"
  printf "%-5s %8s %10s %9s %8s %8s %6s\n" step "req/s" "JVM cores" "PG cores" "WAL MB" "FPIs" ckpts
} | tee "$run/steps.txt"
IFS=$'\t' read -r wal0 fpi0 _ < <(wal)
for i in $(seq 1 "$steps"); do
  [ "$pgss" = 1 ] && sql "select pg_stat_statements_reset()" > /dev/null
  jvm0=$(ticks "$server_pid") pg0=$(pg_ticks "$OMZIEN_DATA_DIR")
  LOAD_SCENARIO=create LOAD_PLAN=$run/create.txt LOAD_MODE=count LOAD_LABEL=step$i LOAD_THREADS=2 \
    LOAD_RESULTS=$run/results.tsv wrk -t2 -c32 -d10s --timeout 10s -s src/scripts/load/replay.lua \
    "http://127.0.0.1:$port" > "$run/wrk-$i.txt"
  jvm1=$(ticks "$server_pid") pg1=$(pg_ticks "$OMZIEN_DATA_DIR")
  IFS=$'\t' read -r wal1 fpi1 ckpts < <(wal)
  printf "%-5s %8s %10.2f %9.2f %8d %8d %6s\n" "$i" "$(awk '/Requests\/sec/ {printf "%d", $2}' "$run/wrk-$i.txt")" \
    "$(awk -v a="$jvm0" -v b="$jvm1" 'BEGIN {print (b - a) / 1000}')" \
    "$(awk -v a="$pg0" -v b="$pg1" 'BEGIN {print (b - a) / 1000}')" \
    $(( (wal1 - wal0) / 1000000 )) $((fpi1 - fpi0)) "$ckpts" | tee -a "$run/steps.txt"
  wal0=$wal1 fpi0=$fpi1
  if [ "$pgss" = 1 ]; then
    sql "select calls, round(total_exec_time::numeric, 1) as ms, round((total_exec_time / calls)::numeric, 3) as
                ms_per_call, round(shared_blks_hit::numeric / calls, 1) as hit, round(shared_blks_read::numeric
                / calls, 1) as read, round(wal_bytes / calls) as wal_bytes,
                left(regexp_replace(query, '\s+', ' ', 'g'), 120) as query
           from pg_stat_statements order by total_exec_time desc limit 25" > "$run/pgss-$i.tsv"
  fi
done
echo "run directory: $run"
