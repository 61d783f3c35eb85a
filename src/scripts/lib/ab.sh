# Shared by the A/B scripts (load-accept.sh, load-nearby.sh, load-create.sh): server jars given on the command line, run one at a
# time on a copy of one generated city. Sourced, not run, from the repository's root.

# ab_option ARG...: reads the option at the head of the arguments that every A/B script takes (--rounds N, --data
# DIR, --no-build, or a jar) into rounds, data, build or jars, and sets used to the number of arguments it took; an
# unknown option stops the script.
ab_option() {
  case "$1" in
    --rounds) rounds=$2; used=2 ;;
    --data) data=$(cd "$2" && pwd); used=2 ;;
    --no-build) build=0; used=1 ;;
    -*) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
    *) jars+=("$1"); used=1 ;;
  esac
}

# ab_prepare NAME PORT: once the script has read its options into jars, build and data, checks them, builds if asked,
# makes the jars' paths absolute, sets run (target/load/NAME-<time>), cp_load (the load tools) and port
# ($LOAD_PORT, else PORT), exports the server's settings, and puts the city in $run/base (a copy of data, else
# generated with seed 42). On exit the server stops and the run's databases and plans are removed.
ab_prepare() {
  local i
  [ ${#jars[@]} -gt 0 ] || { echo "name at least one server jar (see the head of $0)" >&2; exit 2; }
  command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
  if [ "$build" = 1 ] || [ ! -f target/omzien.jar ] || [ ! -d target/test-classes/nl/omzien/bench/load ]; then
    mvn -q -B -o package -Dmaven.test.skip.exec=true
  fi
  for i in "${!jars[@]}"; do # absolute paths, now that the build made target/omzien.jar if that is one of them
    [ -f "${jars[$i]}" ] || { echo "no such jar: ${jars[$i]}" >&2; exit 2; }
    jars[$i]=$(cd "$(dirname "${jars[$i]}")" && pwd)/$(basename "${jars[$i]}")
  done
  run=target/load/$1-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  cp_load="$(pwd)/target/omzien.jar:$(pwd)/target/test-classes"
  port=${LOAD_PORT:-$2}
  export OMZIEN_RATE_LIMIT_ENABLED=false OMZIEN_HTTP_PORT=$port OMZIEN_DEMO=true
  export OMZIEN_HTTP_INSTANCES=${OMZIEN_HTTP_INSTANCES:-$(nproc)}
  # One signing key for every copy and the plans: a generated city has none of its own (the server makes one in its
  # data directory on first start), so each copy's server would make another, and a plan's tokens would be valid for
  # one copy only (every other run answered 401).
  OMZIEN_JWT_SECRET=${OMZIEN_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')}
  export OMZIEN_JWT_SECRET
  trap ab_cleanup EXIT
  if [ -n "$data" ]; then
    cp -a "$data" "$run/base"
  else
    OMZIEN_DATA_DIR="$run/base" java -jar target/omzien.jar generate --scale city --seed 42 > "$run/generate.log" 2>&1 \
      || { cat "$run/generate.log"; exit 1; }
  fi
}

ab_cleanup() {
  stop_server
  rm -rf "$run/base" "$run/data" "$run/plan"
}

server_pid=""
# start_server JAR DATA_DIR LOG: starts the jar on the data directory, waits for /health/ready
start_server() {
  # shellcheck disable=SC2086
  OMZIEN_DATA_DIR="$2" java ${JAVA_OPTS:-} -jar "$1" > "$3" 2>&1 &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { echo "server died:"; tail -20 "$3"; exit 1; }
    sleep 0.1
  done
}

# ab_fresh ROUND JAR: a fresh copy of the city in $run/data and the jar started on it, logging to
# $run/server-ROUND-<jar's name>.log (every run starts from the same database)
ab_fresh() {
  rm -rf "$run/data" && cp -a "$run/base" "$run/data"
  start_server "$2" "$run/data" "$run/server-$1-$(basename "$2").log"
}

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# ab_machine: the header line of a results file (cores, CPU model, load average now)
ab_machine() {
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load: $(uptime | sed 's/.*load average: //')"
}

# ab_plan ARG...: LoadPlan against the running server's database ($run/data), writing into $run/plan
ab_plan() {
  OMZIEN_DATA_DIR="$run/data" java -cp "$cp_load" nl.omzien.bench.load.LoadPlan \
    --jdbc "jdbc:postgresql://localhost:$(sed -n 4p "$run/data/pg/postmaster.pid")/omzien" --out "$run/plan" "$@" \
    > /dev/null
}

# ab_wrk SCENARIO PLAN MODE LABEL SECONDS: wrk -t2 -c32 replaying the plan (load.sh's modes: once, cycle, count) on the
# server, its results line appended to $run/results.tsv
ab_wrk() {
  LOAD_SCENARIO=$1 LOAD_PLAN=$2 LOAD_MODE=$3 LOAD_LABEL=$4 LOAD_THREADS=2 LOAD_RESULTS=$run/results.tsv \
    wrk -t2 -c32 -d"$5"s --timeout 10s -s src/scripts/load/replay.lua "http://127.0.0.1:$port" > /dev/null
}

# field NAME: a field of the last line of $run/results.tsv (as replay.lua writes them: name=value, tab separated)
field() { tail -1 "$run/results.tsv" | tr '\t' '\n' | sed -n "s/^$1=//p"; }
