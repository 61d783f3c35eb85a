#!/usr/bin/env bash
# Soak test: a steady mixed load (reads and writes of residents and volunteers) for a number of minutes, with a
# row every 30 s: calls, p50/p99/max latency, errors, the server's heap after a full GC, metaspace, threads, open
# files, PostgreSQL connections by state and the SQL pool as the server sees it; then a verdict on growth and
# errors (see nl.omzien.faults.SoakLoad). Exit status 0 only when it passes.
#
#   src/scripts/soak.sh [minutes] [--no-build]        (default 30 minutes; SOAK_RATE calls/s, default 40)
#
# It starts its own PostgreSQL (target/soak/pg) and server (port 18280); the report is target/soak/report.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MINUTES=30
BUILD=1
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    [0-9]*) MINUTES=$arg ;;
    *) echo "usage: $0 [minutes] [--no-build]" >&2; exit 2 ;;
  esac
done
WORK=$ROOT/target/soak
PG_PORT=${SOAK_PG_PORT:-18643}
HTTP_PORT=${SOAK_HTTP_PORT:-18280}
JWT_SECRET=soak-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# shellcheck source=lib/common.sh
source "$ROOT/src/scripts/lib/common.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
SERVER_PID=
cleanup() {
  set +e
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  pg_stop
}
trap cleanup EXIT

if ((BUILD)); then echo "building"; build; fi
snapshot
CP=$(client_classpath)
echo "machine: $(nproc) cores; uptime: $(uptime)"
pg_start "$PG_PORT"
server_start 1
echo "server pid $SERVER_PID on port $HTTP_PORT, PostgreSQL on $PG_PORT; JVM ${SERVER_JVM_ARGS:--Xmx512m}"

status=0
java -Xmx256m -cp "$CP" nl.omzien.faults.SoakLoad base="http://127.0.0.1:$HTTP_PORT" secret="$JWT_SECRET" \
  pid="$SERVER_PID" jdbc="jdbc:postgresql://localhost:$PG_PORT/omzien?user=postgres" minutes="$MINUTES" \
  interval="${SOAK_INTERVAL:-30}" rate="${SOAK_RATE:-40}" journal="$WORK/journal.csv" report="$WORK/report.txt" \
  || status=$?
echo "uptime at the end: $(uptime)" | tee -a "$WORK/report.txt"
grep -c ' ERROR ' "$WORK/server-1.log" | sed 's/^/server log ERROR lines: /' | tee -a "$WORK/report.txt" || true
exit $status
