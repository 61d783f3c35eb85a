# Shared helpers for crash.sh and soak.sh: a PostgreSQL of their own (separate from the server process, so
# a kill -9 of the server leaves the database running), the Omzien server, and the load client.
# Sourced, not run. Expects ROOT (the repository) and WORK (a directory under target/) to be set.

# PostgreSQL binaries: $PG_BIN, else the ones zonky extracted for the embedded server, else Debian's.
pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  local dir
  for dir in /tmp/embedded-pg/PG-*/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/pg_ctl" ]]; then echo "$dir"; return; fi
  done
  echo "no PostgreSQL binaries found: start the server once in embedded mode, or set PG_BIN" >&2
  return 1
}

# PostgreSQL refuses to run as root; as zonky does, run it in a user namespace where we are not root.
as_pg() {
  if [[ $(id -u) == 0 ]]; then unshare -U "$@"; else "$@"; fi
}

# pg_start PORT: a fresh cluster in $WORK/pg on PORT (fsync stays on: the database must survive a crash of
# the server, and nothing here crashes the database itself).
pg_start() {
  local port=$1 bin
  bin=$(pg_bin)
  if psql -X -h localhost -p "$port" -U postgres -d postgres -tAc "select 1" >/dev/null 2>&1; then
    echo "something already answers on port $port (a PostgreSQL left over?); stop it or choose another port" >&2
    return 1
  fi
  rm -rf "$WORK/pg"
  as_pg "$bin/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 >"$WORK/initdb.log" 2>&1
  as_pg "$bin/pg_ctl" -D "$WORK/pg" -l "$WORK/postgres.log" -w -t 60 \
    -o "-p $port -c listen_addresses=localhost -c max_connections=200" start >/dev/null
  psql_q postgres "create database omzien" >/dev/null
}

pg_stop() {
  local bin
  bin=$(pg_bin)
  if [[ -f "$WORK/pg/postmaster.pid" ]]; then
    as_pg "$bin/pg_ctl" -D "$WORK/pg" -m fast -w -t 60 stop >/dev/null || true
  fi
}

# psql_q DB SQL: one query, unaligned tuples only.
psql_q() {
  psql -X -q -h localhost -p "$PG_PORT" -U postgres -d "$1" -tA -v ON_ERROR_STOP=1 -c "$2"
}

# server_start N: starts the jar (log $WORK/server-N.log), sets SERVER_PID, waits for /health/ready.
server_start() {
  local n=$1 deadline
  DATABASE_URL="postgres://postgres@localhost:$PG_PORT/omzien" \
  OMZIEN_DEMO=true \
  OMZIEN_JWT_SECRET="$JWT_SECRET" \
  OMZIEN_DATA_DIR="$WORK/data" \
  OMZIEN_HTTP_PORT="$HTTP_PORT" \
  OMZIEN_HTTP_HOST=127.0.0.1 \
  OMZIEN_RATE_LIMIT_ENABLED=false \
  OMZIEN_PUSH_QUIET_START=00:00 OMZIEN_PUSH_QUIET_END=00:00 \
    java ${SERVER_JVM_ARGS:--Xmx512m} -jar "$WORK/app/omzien.jar" >"$WORK/server-$n.log" 2>&1 &
  SERVER_PID=$!
  deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/health/ready" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server $n exited during start; see $WORK/server-$n.log" >&2; tail -20 "$WORK/server-$n.log" >&2; return 1
    fi
    if ((SECONDS > deadline)); then echo "server $n not ready after 90 s" >&2; return 1; fi
    sleep 0.1
  done
}

# A copy of the build in $WORK/app (the jar, main and test classes), so a rebuild while a long run is going
# (mvn verify, another package) does not change the classes under the running server or load client.
snapshot() {
  [[ -f "$ROOT/target/omzien.jar" && -d "$ROOT/target/test-classes/nl/omzien/faults" ]] \
    || { echo "no build in $ROOT/target: run without --no-build" >&2; return 1; }
  mkdir -p "$WORK/app"
  cp "$ROOT/target/omzien.jar" "$WORK/app/omzien.jar"
  cp -r "$ROOT/target/classes" "$WORK/app/classes"
  cp -r "$ROOT/target/test-classes" "$WORK/app/test-classes"
}

# The load client's classpath (test scope, computed once per pom change), on the snapshot's classes.
client_classpath() {
  local cp="$ROOT/target/test-classpath.txt"
  if [[ ! -s "$cp" || "$ROOT/pom.xml" -nt "$cp" ]]; then
    (cd "$ROOT" && mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp") >&2
  fi
  echo "$WORK/app/test-classes:$WORK/app/classes:$(cat "$cp")"
}

build() {
  (cd "$ROOT" && mvn -q -B -o test-compile && mvn -q -B -o package -DskipTests) >"$WORK/build.log" 2>&1 \
    || { echo "build failed; see $WORK/build.log" >&2; tail -30 "$WORK/build.log" >&2; return 1; }
}
