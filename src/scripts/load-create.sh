#!/usr/bin/env bash
# Create's latency at half rate as an A/B of server jars (issue #6): each jar in turn, in alternating rounds, starts
# on a fresh copy of the same generated city, creates at max for a warm-up, and then runs --steps times: 10 s of
# creates at max (wrk, as load.sh) and 10 s at half that rate (RateClient, after its own 5 s at that rate, as
# load.sh's "at half"). Per step it prints the rate at max, the p99 at half and the slowest answer, so a change
# to what stalls creates can be judged against this machine's spread (item 27 of the README's "Load runs").
#
# Usage: src/scripts/load-create.sh [--rounds N] [--steps N] [--warmup S] [--data DIR] [--no-build] JAR [JAR...]
#   JAR          server jars to compare (copy target/omzien.jar aside before and after a change)
#   --rounds N   alternating rounds, each running every jar once (default 2)
#   --steps N    max-then-half steps per run, on the same server (default 4)
#   --warmup S   seconds of creates at max before the first step (default 60)
#   --data DIR   copy this generated data directory instead of generating the city once (seed 42)
#   --no-build   use target/test-classes as they are (the load tools live there)
# Environment: OMZIEN_* settings pass through to the server; JAVA_OPTS for the server JVM.
# Output: target/load/create-<time>/{results.txt,results.tsv,server-<round>-<jar>.log}
set -euo pipefail
cd "$(dirname "$0")/../.."
# ab_option, ab_prepare, ab_fresh, stop_server, ab_plan, ab_wrk, ab_machine, field.
# shellcheck source=lib/ab.sh
. src/scripts/lib/ab.sh
rounds=2 steps=4 warmup=60 data="" build=1
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) ab_option "$@"; shift "$used" ;;
  esac
done
ab_prepare create 18085

{
  ab_machine
  printf "%-6s %-5s %-40s %10s %10s %12s %12s\n" round step jar "max req/s" "half req/s" "p99 ms" "slowest ms"
} | tee "$run/results.txt"
for round in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    ab_fresh "$round" "$jar"
    rm -rf "$run/plan" && mkdir -p "$run/plan"
    ab_plan create 6000
    ab_wrk create "$run/plan/create.txt" count warmup "$warmup"
    for step in $(seq 1 "$steps"); do
      ab_wrk create "$run/plan/create.txt" count max 10
      max=$(field rps)
      [ "$(field statuses)" = "201:$(field answered)" ] \
        || { echo "not every create was 201 ($(field statuses)): stopped" >&2; exit 1; }
      half=$(awk -v r="$max" 'BEGIN {printf "%d", r / 2}')
      tail_line=$(java -cp "$cp_load" nl.omzien.bench.load.RateClient "http://127.0.0.1:$port" "$run/plan/create.txt" \
        create "$half" 10 32 "$run/results.tsv" 5)
      echo "$tail_line" >> "$run/rate-client.txt"
      [ "$(field statuses)" = "201:$(field answered)" ] \
        || { echo "not every create at half rate was 201 ($(field statuses)): stopped" >&2; exit 1; }
      printf "%-6s %-5s %-40s %10.0f %10.0f %12s %12s\n" "$round" "$step" "$(basename "$jar")" "$max" "$(field rps)" \
        "$(field p99_ms)" "$(echo "$tail_line" | sed -n 's/.*slowest \([0-9.]*\) ms.*/\1/p')" | tee -a "$run/results.txt"
    done
    stop_server
  done
done
echo "run directory: $run"
