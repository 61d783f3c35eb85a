#!/usr/bin/env bash
# The nearby-activities scenario as an A/B of server jars (issue #6): each jar in turn, in alternating rounds, starts
# on a fresh copy of the same generated city and serves load.sh's nearby plan (2,000 residents' queries, wrk -t2
# -c32) at max: a warm-up, then a measured run. Per run it prints the rate, p50 and p99 (closed loop: wrk's p99 at
# max swings between runs and is no target), the server JVM's CPU during the measured run, and that CPU per answer,
# so a change can be judged against this machine's spread (item 26 of the README's "Load runs").
#
# Usage: src/scripts/load-nearby.sh [--rounds N] [--warmup S] [--seconds S] [--data DIR] [--no-build] JAR [JAR...]
#   JAR          server jars to compare (copy target/omzien.jar aside before and after a change)
#   --rounds N   alternating rounds, each running every jar once (default 3)
#   --warmup S   seconds of warm-up per run (default 40: the JIT's time on these two cores)
#   --seconds S  seconds measured per run (default 15)
#   --data DIR   copy this generated data directory instead of generating the city once (seed 42)
#   --no-build   use target/test-classes as they are (the load tools live there)
# Environment: OMZIEN_* settings pass through to the server; JAVA_OPTS for the server JVM.
# Output: target/load/nearby-<time>/{results.txt,results.tsv,server-<round>-<jar>.log}
set -euo pipefail
cd "$(dirname "$0")/../.."
# ab_option, ab_prepare, ab_fresh, stop_server, ab_plan, ab_wrk, ab_machine, field.
# shellcheck source=lib/ab.sh
. src/scripts/lib/ab.sh
rounds=3 warmup=40 seconds=15 data="" build=1
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) ab_option "$@"; shift "$used" ;;
  esac
done
ab_prepare nearby 18084

# CPU ticks of the server (ticks).
# shellcheck source=lib/cpu.sh
. src/scripts/lib/cpu.sh
# wrk_cycle LABEL SECONDS: the nearby plan's lines over and over
wrk_cycle() { ab_wrk nearby "$run/plan/nearby.txt" cycle "$1" "$2"; }

{
  ab_machine
  printf "%-6s %-40s %8s %8s %8s %10s %12s\n" round jar "req/s" "p50 ms" "p99 ms" "JVM cores" "JVM µs/req"
} | tee "$run/results.txt"
for round in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    ab_fresh "$round" "$jar"
    if [ ! -f "$run/plan/nearby.txt" ]; then # once: every copy has the same users and signing key
      mkdir -p "$run/plan"
      ab_plan reads
    fi
    wrk_cycle warmup "$warmup"
    jvm0=$(ticks "$server_pid")
    wrk_cycle max "$seconds"
    jvm1=$(ticks "$server_pid")
    if [ "$(field statuses)" != "200:$(field answered)" ]; then # 599: statuses >= 400, not told apart in cycle mode
      echo "not every answer was 200 ($(field statuses)); a run with failed answers measures something else: stopped" >&2
      exit 1
    fi
    printf "%-6s %-40s %8.0f %8s %8s %10.2f %12.1f\n" "$round" "$(basename "$jar")" "$(field rps)" "$(field p50_ms)" \
      "$(field p99_ms)" "$(awk -v a="$jvm0" -v b="$jvm1" -v s="$seconds" 'BEGIN {print (b - a) / 100 / s}')" \
      "$(awk -v a="$jvm0" -v b="$jvm1" -v n="$(field answered)" 'BEGIN {print (b - a) * 10000 / n}')" \
      | tee -a "$run/results.txt"
    stop_server
  done
done
echo "run directory: $run"
