# CPU of the processes a load script measures, in ticks (1/100 s). Sourced by load-steps.sh and load-accept.sh.

# ticks PID: user + system ticks of a process so far (0 once it is gone).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# pg_ticks DATA_DIR: the ticks of every PostgreSQL process (the postmaster's children) of an Omzien data directory.
pg_ticks() {
  local sum=0 pid
  for pid in $(pgrep -P "$(head -1 "$1/pg/postmaster.pid")"); do sum=$((sum + $(ticks "$pid"))); done
  echo "$sum"
}
