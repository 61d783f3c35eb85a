#!/usr/bin/env bash
# The accept scenario as an A/B of server jars (issue #6): each jar in turn, in alternating rounds, starts on a fresh
# copy of the same generated database, creates requests (each offered to 3 volunteers, as in load.sh), and then the
# volunteers race to accept them: two thirds of the offers warm the accept path up, the last third is measured for
# 10 s (wrk, as load.sh does). Per run it prints the accept rate, p50 and p99, and the CPU of the server JVM and of
# PostgreSQL's processes during the measured 10 s, so a change can be judged against this machine's spread.
#
# Usage: src/scripts/load-accept.sh [--rounds N] [--creates N] [--data DIR] [--no-build] JAR [JAR...]
#   JAR          server jars to compare (copy target/omzien.jar aside before and after a change)
#   --rounds N   alternating rounds, each running every jar once (default 2)
#   --creates N  requests created per run before the accept race (default 20000; 3 offers each)
#   --data DIR   copy this generated data directory instead of generating the city once (seed 42)
#   --no-build   use target/test-classes as they are (the load tools live there)
# Environment: OMZIEN_* settings pass through to the server; JAVA_OPTS for the server JVM.
# Output: target/load/accept-<time>/{results.txt,results.tsv,server-<round>-<jar>.log}
set -euo pipefail
cd "$(dirname "$0")/../.."
# ab_option, ab_prepare, ab_fresh, stop_server, ab_plan, ab_wrk, ab_machine, field.
# shellcheck source=lib/ab.sh
. src/scripts/lib/ab.sh
rounds=2 creates=20000 data="" build=1
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --creates) creates=$2; shift 2 ;;
    *) ab_option "$@"; shift "$used" ;;
  esac
done
ab_prepare accept 18083

# CPU ticks of the server and of PostgreSQL (ticks, pg_ticks).
# shellcheck source=lib/cpu.sh
. src/scripts/lib/cpu.sh
# wrk_once PLAN LABEL SECONDS: every line of the plan once (the accepts: a repeat would answer an offer twice)
wrk_once() { ab_wrk "$2" "$1" once "$2" "$3"; }

{
  ab_machine
  printf "%-6s %-40s %8s %8s %8s %10s %9s\n" round jar "req/s" "p50 ms" "p99 ms" "JVM cores" "PG cores"
} | tee "$run/results.txt"
for round in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    ab_fresh "$round" "$jar"
    rm -rf "$run/plan" && mkdir -p "$run/plan"
    ab_plan mark
    ab_plan create "$creates"
    wrk_once "$run/plan/create.txt" create 120
    ab_plan accept
    warm=$(( $(wc -l < "$run/plan/accept.txt") * 2 / 3 ))
    head -n "$warm" "$run/plan/accept.txt" > "$run/plan/accept-warmup.txt"
    tail -n +"$(( warm + 1 ))" "$run/plan/accept.txt" > "$run/plan/accept-main.txt"
    wrk_once "$run/plan/accept-warmup.txt" accept-warmup 60
    jvm0=$(ticks "$server_pid") pg0=$(pg_ticks "$run/data")
    wrk_once "$run/plan/accept-main.txt" accept 10
    jvm1=$(ticks "$server_pid") pg1=$(pg_ticks "$run/data")
    [ "$(field sent)" -lt "$(wc -l < "$run/plan/accept-main.txt")" ] \
      || echo "   (the measured third ran out before 10 s: raise --creates, or the rate is understated)"
    printf "%-6s %-40s %8.0f %8s %8s %10.2f %9.2f\n" "$round" "$(basename "$jar")" "$(field rps)" "$(field p50_ms)" \
      "$(field p99_ms)" "$(awk -v a="$jvm0" -v b="$jvm1" 'BEGIN {print (b - a) / 1000}')" \
      "$(awk -v a="$pg0" -v b="$pg1" 'BEGIN {print (b - a) / 1000}')" | tee -a "$run/results.txt"
    stop_server
  done
done
echo "run directory: $run"
