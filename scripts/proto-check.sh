#!/usr/bin/env bash
# Checks the public contracts in protos/:
#   1. buf lint: STANDARD rules plus COMMENTS (every service, RPC, message, field, enum commented);
#   2. buf breaking: no wire- or source-breaking change against the last landed main;
#   3. the typed bindings in src/FanPin.Contracts/Bindings match the protos.
# buf is the npm package @bufbuild/buf, pinned in tools/buf/package-lock.json (installed here by npm install).
#
# usage: scripts/proto-check.sh
# environment: FANPIN_PROTO_BASE  git ref to compare with. Default: where HEAD left main (origin/main when
#              there is no local main); on main itself, its parent. No such commit with protos/buf.yaml:
#              the breaking check is skipped (first landing).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -x tools/buf/node_modules/.bin/buf ] || [ tools/buf/package-lock.json -nt tools/buf/node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the lock holds only the platform packages the registry here serves, and npm ci
  # refuses a lock without every optional platform entry. The lock still pins buf 1.75.0.
  (cd tools/buf && npm install --no-audit --no-fund --loglevel=error)
fi
buf="$root/tools/buf/node_modules/.bin/buf"

echo "proto-check: buf lint"
(cd protos && "$buf" lint)

# The protos this change builds on: where the branch left main (changes landed on main since then were
# checked when they landed, and files a branch has not merged yet are not "deleted" by it); on main
# itself, the commit before.
base=${FANPIN_PROTO_BASE:-}
if [ -z "$base" ]; then
  target=main
  git rev-parse --verify -q main >/dev/null || target=origin/main
  if git rev-parse --verify -q "$target^{commit}" >/dev/null; then
    if [ "$(git rev-parse "$target^{commit}")" = "$(git rev-parse HEAD)" ]; then
      base="$target~1"
    else
      base=$(git merge-base HEAD "$target" || echo "$target")
    fi
  else
    base=$target
  fi
fi
if git rev-parse --verify -q "$base^{commit}" >/dev/null && git cat-file -e "$base:protos/buf.yaml" 2>/dev/null; then
  echo "proto-check: buf breaking against $base ($(git rev-parse --short "$base^{commit}"))"
  # A snapshot of the base's protos: works the same in clones and worktrees.
  against=$(mktemp -d)
  trap 'rm -rf "$against"' EXIT
  git archive "$base" protos | tar -x -C "$against"
  (cd protos && "$buf" breaking --against "$against/protos")
else
  echo "proto-check: $base has no protos/buf.yaml yet: breaking check skipped (first landing)"
fi

echo "proto-check: typed bindings"
dotnet run --project src/FanPin.Grpc.Codegen -v q -- --check
echo "proto-check: OK"
