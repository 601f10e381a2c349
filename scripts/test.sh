#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test against real PostgreSQL, RabbitMQ and Redis.
# The servers are started once for the whole run (private processes on free loopback ports, data in
# .fanpin-test/) and stopped at the end, whatever happens. Extra arguments go to `dotnet test`
# (e.g. --filter FullyQualifiedName~Registry).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh

echo "== contracts (buf lint, breaking changes, typed bindings)"
bash scripts/proto-check.sh

echo "== build (Release, warnings as errors)"
dotnet build FanPinAspire.sln -c Release -nologo -v quiet -clp:ErrorsOnly

state="$root/.fanpin-test"
env_file="$state.env"
rm -f "$env_file"
echo "== start test servers"
dotnet src/FanPin.Cli/bin/Release/net10.0/fanpin.dll infra up --state "$state" --fresh --env-file "$env_file" > "$state.log" 2>&1 &
infra=$!
stop_infra() {
  # SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored.
  kill -TERM "$infra" 2>/dev/null || true
  wait "$infra" 2>/dev/null || true
}
trap stop_infra EXIT
for _ in $(seq 1 600); do
  [ -s "$env_file" ] && break
  kill -0 "$infra" 2>/dev/null || { cat "$state.log" >&2; echo "test: the test servers did not start (log above)" >&2; exit 1; }
  sleep 0.2
done
[ -s "$env_file" ] || { cat "$state.log" >&2; echo "test: the test servers did not start in time" >&2; exit 1; }
while IFS='=' read -r key value; do
  case "$key" in
    ConnectionStrings__postgres) export FANPIN_TEST_POSTGRES="$value" ;;
    ConnectionStrings__messaging) export FANPIN_TEST_RABBITMQ="$value" ;;
    ConnectionStrings__cache) export FANPIN_TEST_REDIS="$value" ;;
    FANPIN_RABBITMQ_MANAGEMENT) export FANPIN_TEST_RABBITMQ_MANAGEMENT="$value" ;;
  esac
done < "$env_file"

echo "== test"
log=$(mktemp)
status=0
dotnet test FanPinAspire.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed: / {
       gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
