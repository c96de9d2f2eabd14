#!/usr/bin/env bash
# Runs the Node.js example against a RingServe at HOST:PORT (default 127.0.0.1:8001):
# installs Node.js and npm from Debian if missing, installs @grpc/grpc-js and @grpc/proto-loader
# from package-lock.json when node_modules is missing or stale, then runs example.js.
# Exits non-zero if the server gives a wrong answer.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-127.0.0.1:8001}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  echo "run.sh: installing nodejs npm"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

cd "$here"
# npm ci writes node_modules/.package-lock.json; a newer package-lock.json means it is stale.
if [[ ! -f node_modules/.package-lock.json ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node example.js "$target"
