#!/usr/bin/env bash
# Runs the whole FanPin stack locally: installs prerequisites (once), then the AppHost starts PostgreSQL,
# RabbitMQ and Redis as private processes and the services, and prints every endpoint and a development
# token. Ctrl-C stops everything. Arguments go to the AppHost (--fresh, --state DIR; --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec dotnet run --project FanPinAspire.AppHost -- "$@"
