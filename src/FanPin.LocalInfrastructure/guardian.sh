#!/usr/bin/env bash
# FanPin local server guardian.
# Runs one server as its child, in a session of its own (the caller starts it under setsid), and stops it
# when told (SIGTERM) or as soon as its owner process is gone, so that no server outlives the program that
# started it, whether that program exits, is interrupted or is killed with SIGKILL.
#
# usage: guardian.sh OWNER_PID OWNER_START_TICKS PID_FILE STOP_TIMEOUT_S STOP_COMMAND -- SERVER_COMMAND...
# STOP_COMMAND runs under bash with FANPIN_SERVER_PID set to the server's pid.
# Exit status: 0 stopped on request or owner exit; 3 the server died by itself.
set -u
exec </dev/null
owner=$1 owner_start=$2 pid_file=$3 stop_timeout=$4 stop_command=$5
shift 5
[ "${1:-}" = "--" ] && shift

stopping=""
sleeper=""
trap 'stopping="asked to stop"' TERM INT HUP

log() { echo "[guardian $(date -u +%H:%M:%S)] $*"; }

start_ticks() { # field 22 of /proc/PID/stat: distinguishes a live owner from a reused pid
  local line
  read -r line 2>/dev/null < "/proc/$1/stat" || return 1
  line=${line##*) }
  set -- $line
  echo "${20}"
}

alive() { # a zombie counts as gone
  local line
  read -r line 2>/dev/null < "/proc/$1/stat" || return 1
  line=${line##*) }
  [ "${line%% *}" != "Z" ]
}

mop_up() { # whatever is left in this process group (helper processes of the server), except this script
  local s line pid
  for s in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null < "$s" || continue
    pid=${line%% *}
    [ "$pid" = "$$" ] && continue
    line=${line##*) }
    set -- $line
    [ "$3" = "$$" ] && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

"$@" &
child=$!
echo "$child" > "$pid_file"
log "started pid $child: $*"

while :; do
  if ! alive "$child"; then
    wait "$child"
    rc=$?
    log "server exited by itself with status $rc"
    mop_up
    exit 3
  fi
  if [ -n "$stopping" ]; then
    break
  fi
  if [ "$(start_ticks "$owner")" != "$owner_start" ]; then
    stopping="owner process $owner is gone"
    break
  fi
  sleep 0.5 &
  sleeper=$!
  wait "$sleeper" 2>/dev/null
done
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null

log "stopping server: $stopping"
trap '' TERM INT HUP
FANPIN_SERVER_PID=$child bash -c "$stop_command" || log "stop command failed with status $?"
deadline=$((SECONDS + stop_timeout))
while alive "$child" && [ "$SECONDS" -lt "$deadline" ]; do
  sleep 0.2
done
if alive "$child"; then
  log "server still running after ${stop_timeout}s: killing it"
  kill -KILL "$child" 2>/dev/null
fi
wait "$child" 2>/dev/null
mop_up
log "stopped"
exit 0
