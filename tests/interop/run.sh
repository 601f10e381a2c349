#!/usr/bin/env bash
# FanPin's gRPC interop suite: independent gRPC stacks against FanPin.Grpc, both directions.
#   grpc-js client (npm @grpc/grpc-js)        -> C# server
#   grpc-python client (Debian python3-grpcio) -> C# server
#   C# client                                  -> grpc-js server
# Every case prints "PASS|FAIL <client>-><server> <case>"; the exit code is 1 when any case failed.
#
# usage: tests/interop/run.sh
# environment: FANPIN_INTEROP_CONFIGURATION (Debug|Release, default Debug);
#              FANPIN_INTEROP_NO_BUILD=1 to use the already built tests/FanPin.Grpc.Interop.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
configuration=${FANPIN_INTEROP_CONFIGURATION:-Debug}
# Debian's interpreter: a pyenv python3 earlier on PATH has no grpcio.
python=/usr/bin/python3

fail() { echo "interop: $*" >&2; exit 2; }

# --- prerequisites -----------------------------------------------------------------------------------
command -v node >/dev/null || fail "node is missing (apt-get install nodejs npm)"
command -v npm >/dev/null || fail "npm is missing (apt-get install npm)"
[ -x "$python" ] || fail "$python is missing (apt-get install python3)"
if ! "$python" -c 'import grpc' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "interop: installing python3-grpcio"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-grpcio >/dev/null
  else
    fail "python3-grpcio is missing: sudo apt-get install python3-grpcio"
  fi
fi
if [ ! -d "$here/node_modules/@grpc/grpc-js" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "interop: npm ci (versions pinned by tests/interop/package-lock.json)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "${FANPIN_INTEROP_NO_BUILD:-0}" != 1 ]; then
  dotnet build "$root/tests/FanPin.Grpc.Interop/FanPin.Grpc.Interop.csproj" -c "$configuration" -nologo -v q >/dev/null \
    || fail "building tests/FanPin.Grpc.Interop failed (run: dotnet build tests/FanPin.Grpc.Interop)"
fi
dll="$root/tests/FanPin.Grpc.Interop/bin/$configuration/net10.0/FanPin.Grpc.Interop.dll"
[ -f "$dll" ] || fail "$dll is missing"

# --- servers -----------------------------------------------------------------------------------------
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server in the background and waits for its "ready" line (its address lines come first).
start_server() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 600); do
    grep -q '^ready' "$work/$name.out" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$name.out" "$work/$name.err" >&2
  fail "the $name server did not start"
}
field() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1.out"; }

start_server csharp dotnet "$dll" server
start_server grpcjs node "$here/js/server.js"
dotnet "$dll" descriptor-set "$work/echo.pb"

# --- clients -----------------------------------------------------------------------------------------
status=0
run_client() {
  "$@" 2>&1 | tee -a "$work/results.txt" || status=1
}
run_client node "$here/js/client.js" --address "$(field csharp address)" --gzip-address "$(field csharp gzip-address)" \
  --token "$(field csharp token)" --peer csharp-server
run_client "$python" "$here/python/client.py" --descriptors "$work/echo.pb" --address "$(field csharp address)" \
  --gzip-address "$(field csharp gzip-address)" --token "$(field csharp token)" --peer csharp-server
run_client dotnet "$dll" client --address "$(field grpcjs address)" --gzip-address "$(field grpcjs gzip-address)" \
  --token "$(field csharp token)" --peer grpcjs-server

passed=$(grep -c '^PASS' "$work/results.txt" || true)
failed=$(grep -c '^FAIL' "$work/results.txt" || true)
echo "interop: $passed passed, $failed failed"
if [ "$status" != 0 ] || [ "$failed" != 0 ] || [ "$passed" = 0 ]; then
  grep '^FAIL' "$work/results.txt" >&2 || true
  exit 1
fi
