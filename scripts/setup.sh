#!/usr/bin/env bash
# Installs exactly the Debian packages FanPin needs to run and test: idempotent, quiet when all are present.
#   postgresql-15, rabbitmq-server, redis-server  the real servers the suite and its tests run against
#   python3-grpcio, python3-pika                  independent peers for the gRPC interop and downstream-subscriber tests
#   nodejs, npm                                   the @grpc/grpc-js interop peer and buf (proto lint), from npm
# The servers are never started as system services: FanPin starts private instances (src/FanPin.LocalInfrastructure).
set -euo pipefail

packages=(postgresql-15 rabbitmq-server redis-server python3-grpcio python3-pika)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# policy-rc.d on containers denies starting the default services; that is what we want anyway.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
