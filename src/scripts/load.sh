#!/usr/bin/env bash
# End-to-end load run (issue #6): generate data, start Omzien on a fresh embedded PostgreSQL, run wrk per scenario
# against it and against a bare Vert.x server (the ceiling), measure p99 at half the measured maximum with a
# constant-rate client, check in the database what was written, and print one table. See README "Load runs".
#
# Usage: src/scripts/load.sh [--scale city|region|national] [--seconds N] [--warmup N] [--threads N] [--connections N] [--no-build]
#                            [--keep] [--jfr]
#   --scale        generator scale (default city)
#   --seconds      length of each measured run (default 10)
#   --warmup       least warm-up before each measured wrk run, in 10 s wrk runs (default 30: on this shared 2-core
#                  machine the JIT needs 30-40 s of load before nearby activities reaches its warm rate; a cold run
#                  gets a tenth of it); the constant-rate client warms up for 5 s at its rate
#   --jit-wait     up to this many seconds more warm-up (default 60), 10 s at a time, while the server's JIT
#                  compiled for more than half a second in the last 10 s (jstat -compiler): the measured run then
#                  sees the compiled code, not the compiler sharing the two cores (create: ~60 s, README item 20)
#   --threads      wrk threads (default 2), --connections: wrk and rate-client connections (default 32)
#   --no-build     use target/omzien.jar and target/test-classes as they are
#   --keep         keep the run directory's database (target/load/<time>/data) afterwards
#   --jfr          record the server with JFR (target/load/<time>/server.jfr)
# Environment: OMZIEN_HTTP_INSTANCES (default: cores) is used for both Omzien and the ceiling; JAVA_OPTS for the
# server JVM; other OMZIEN_* settings pass through to the server.
# Output: target/load/<time>/{results.tsv,table.txt,check.txt,server.log,plan files}; exit 1 if the check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

scale=city seconds=10 warmup=30 jit_wait=60 threads=2 connections=32 build=1 keep=0 jfr=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --jit-wait) jit_wait=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --jfr) jfr=1; shift ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }

if [ "$build" = 1 ] || [ ! -f target/omzien.jar ] || [ ! -d target/test-classes/nl/omzien/bench/load ]; then
  # package, with the test classes compiled (the load tools live there) but no tests run.
  mvn -q -B -o package -Dmaven.test.skip.exec=true
fi

run=target/load/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
run=$(cd "$run" && pwd)
cp_load="target/omzien.jar:target/test-classes"
instances=${OMZIEN_HTTP_INSTANCES:-$(nproc)}
port=${LOAD_PORT:-18080}
ceiling_port=${LOAD_CEILING_PORT:-18081}
export OMZIEN_DATA_DIR="$run/data" OMZIEN_RATE_LIMIT_ENABLED=false OMZIEN_HTTP_PORT=$port OMZIEN_DEMO=true
export OMZIEN_HTTP_INSTANCES=$instances
server_pid="" ceiling_pid=""
cleanup() {
  [ -n "$ceiling_pid" ] && kill "$ceiling_pid" 2>/dev/null || true
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ "$keep" = 1 ] || rm -rf "$run/data"
}
trap cleanup EXIT

machine() {
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB RAM;" \
       "$(java -version 2>&1 | head -1); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); load: $(uptime | sed 's/.*load average: //')"
}
machine | tee "$run/machine.txt"

echo "== generate --scale $scale (into $OMZIEN_DATA_DIR)"
java -jar target/omzien.jar generate --scale "$scale" --seed 42 > "$run/generate.log" 2>&1 || { cat "$run/generate.log"; exit 1; }
grep -E "generated|volunteer_profile|help_request " "$run/generate.log" | sed 's/^/   /'

echo "== start Omzien ($instances HTTP instances)"
jvm_opts=${JAVA_OPTS:-}
[ "$jfr" = 1 ] && jvm_opts="$jvm_opts -XX:StartFlightRecording=filename=$run/server.jfr,settings=profile"
started=$(date +%s%N)
# shellcheck disable=SC2086
java $jvm_opts -jar target/omzien.jar > "$run/server.log" 2>&1 &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { echo "server died:"; tail -20 "$run/server.log"; exit 1; }
  sleep 0.05
done
echo "   ready in $(( ($(date +%s%N) - started) / 1000000 )) ms (process start to /health/ready = 200)"

pg_port=$(sed -n 4p "$OMZIEN_DATA_DIR/pg/postmaster.pid")
plan() { java -cp "$cp_load" nl.omzien.bench.load.LoadPlan --jdbc "jdbc:postgresql://localhost:$pg_port/omzien" --out "$run" "$@"; }
results=$run/results.tsv
: > "$results"

# wrk_run SCENARIO PLAN MODE PORT LABEL DURATION
wrk_run() {
  LOAD_SCENARIO=$1 LOAD_PLAN=$run/$2 LOAD_MODE=$3 LOAD_LABEL=$5 LOAD_THREADS=$threads LOAD_RESULTS=$results \
    wrk -t"$threads" -c"$connections" -d"$6"s --timeout 10s -s src/scripts/load/replay.lua "http://127.0.0.1:$4" \
    > "$run/wrk-$1-$5.txt"
  tail -1 "$run/wrk-$1-$5.txt" | awk -F'\t' -v s="$1 ($5)" '{printf "   %-18s %s %s %s %s\n", s, $7, $8, $9, $10}'
}
# jit_seconds PID: how long the JVM's JIT has compiled so far, in seconds
jit_seconds() { jstat -compiler "$1" | awk 'NR == 2 {print $4}'; }
# measured SCENARIO PLAN MODE PORT PID: the warm-up (10 s runs: at least --warmup seconds, then on while the JIT of
# PID compiled over 0.5 s in the last run, up to --jit-wait seconds more), then the measured run
measured() {
  local warmed=0 jit before after
  while :; do
    before=$(jit_seconds "$5")
    wrk_run "$1" "$2" "$3" "$4" warmup 10 > /dev/null
    after=$(jit_seconds "$5")
    warmed=$((warmed + 10))
    jit=$(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.1f", a - b}')
    if [ "$warmed" -ge "$warmup" ] && awk -v j="$jit" 'BEGIN {exit !(j <= 0.5)}'; then break; fi
    if [ "$warmed" -ge $((warmup + jit_wait)) ]; then break; fi
  done
  echo "   $1: warm-up ${warmed} s (the JIT compiled ${jit} s in its last 10 s)"
  wrk_run "$1" "$2" "$3" "$4" max "$seconds"
}
last_rps() { awk -F'\t' -v s="scenario=$1" '$1 == s && $2 == "mode=max" {sub("rps=", "", $7); r=$7} END {print r}' "$results"; }
# at_half SCENARIO PLAN: constant rate at half the measured maximum
at_half() {
  local rate
  rate=$(awk -v r="$(last_rps "$1")" 'BEGIN {printf "%d", r / 2}')
  java -cp "$cp_load" nl.omzien.bench.load.RateClient "http://127.0.0.1:$port" "$run/$2" "$1" "$rate" "$seconds" \
    "$connections" "$results" 5 | sed 's/^/   /'
}

echo "== plans"
plan mark
plan reads | sed 's/^/   /'
plan create 6000 | sed 's/^/   /'

# Two ceilings with the same event loops: the small fixed body, and a real nearby page of median size (the bytes a
# read moves), started one after the other so they never run together.
for line in $(seq 1 41); do
  IFS=$'\t' read -r _ path token _ < <(sed -n "${line}p" "$run/nearby.txt")
  curl -sf "http://127.0.0.1:$port$path" -H "Authorization: Bearer $token" -o "$run/page-$line.json"
done
page=$(ls -S "$run"/page-*.json | sed -n 21p)
echo "   ceiling page: $(wc -c < "$page") bytes (median of 41 nearby answers)"
ceiling() {
  [ -n "$ceiling_pid" ] && { kill "$ceiling_pid"; wait "$ceiling_pid" 2>/dev/null || true; }
  java -cp "$cp_load" nl.omzien.bench.CeilingServer "$ceiling_port" "$instances" "$@" > "$run/ceiling.log" 2>&1 &
  ceiling_pid=$!
  until curl -sf "http://127.0.0.1:$ceiling_port/" > /dev/null; do sleep 0.05; done
}

echo "== runs (wrk -t$threads -c$connections, ${warmup}-$((warmup + jit_wait)) s warm-up + ${seconds}s each)"
ceiling
measured ceiling ceiling.txt cycle "$ceiling_port" "$ceiling_pid"
ceiling "$page"
measured ceiling-page ceiling.txt cycle "$ceiling_port" "$ceiling_pid"
kill "$ceiling_pid"; wait "$ceiling_pid" 2>/dev/null || true; ceiling_pid=""
measured nearby nearby.txt cycle "$port" "$server_pid"
at_half nearby nearby.txt
measured queue queue.txt cycle "$port" "$server_pid"
measured create create.txt count "$port" "$server_pid"
at_half create create.txt
plan reads > /dev/null   # now many volunteers have pending offers from the create runs
measured offers offers.txt cycle "$port" "$server_pid"
plan accept | sed 's/^/   /'
# A third of the offers warm the accept path up (a request's racers may straddle the split: both runs count).
third=$(( $(wc -l < "$run/accept.txt") / 3 ))
head -n "$third" "$run/accept.txt" > "$run/accept-warmup.txt"
tail -n +"$(( third + 1 ))" "$run/accept.txt" > "$run/accept-main.txt"
wrk_run accept accept-warmup.txt once "$port" warmup "$warmup"
wrk_run accept accept-main.txt once "$port" max "$seconds"

echo "== check"
status=0
plan check | tee "$run/check.txt" | sed 's/^/   /' || status=1
echo "== results (scale $scale; $(machine | sed 's/^machine: //'))"
plan table | tee "$run/table.txt"
echo "run directory: $run"
exit $status
