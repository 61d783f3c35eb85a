#!/usr/bin/env bash
# Long fuzzing run: the spec fuzzer (SpecFuzzTest) with many seeds and more cases per operation.
# Usage: src/scripts/fuzz-long.sh [SEEDS] [CASES_PER_OPERATION]   (defaults: 10 seeds, 500 cases)
# Each seed's figures are appended to target/fuzz-long.txt; the script stops at the first seed with a failure
# and prints how to replay it (-Dfuzz.seed=N -Dfuzz.only=operationId replays one operation's cases exactly).
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-10}
cases=${2:-500}
mvn -q -B -o test-compile
: > target/fuzz-long.txt
for seed in $(seq 1 "$seeds"); do
  if ! mvn -q -B -o surefire:test -Dtest=SpecFuzzTest -Dfuzz.seed="$seed" -Dfuzz.cases="$cases" \
      > "target/fuzz-seed-$seed.log" 2>&1; then
    cat target/fuzz-report.txt >> target/fuzz-long.txt
    echo "seed $seed found a failure: see target/fuzz-seed-$seed.log and target/fuzz-report.txt" >&2
    exit 1
  fi
  cat target/fuzz-report.txt >> target/fuzz-long.txt
  head -4 target/fuzz-report.txt
done
echo "all $seeds seeds clean; figures in target/fuzz-long.txt"
