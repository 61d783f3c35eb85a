# Shared by the A/B scripts (load-accept.sh, load-nearby.sh): server jars given on the command line, one server
# at a time on $port. Sourced, not run. Expects port to be set (jars for abs_jars).

# abs_jars: makes the entries of the array jars absolute paths; exits when one is missing
abs_jars() {
  local i
  for i in "${!jars[@]}"; do
    [ -f "${jars[$i]}" ] || { echo "no such jar: ${jars[$i]}" >&2; exit 2; }
    jars[$i]=$(cd "$(dirname "${jars[$i]}")" && pwd)/$(basename "${jars[$i]}")
  done
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

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
