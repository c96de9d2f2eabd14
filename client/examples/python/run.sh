#!/usr/bin/env bash
# Runs the Python example against a RingServe at HOST:PORT (default 127.0.0.1:8001):
# installs Debian's protoc, grpc_python_plugin, python3-grpcio and python3-numpy if missing,
# generates the stubs from proto/ (only when they are stale), then runs example.py.
# Exits non-zero if the server gives a wrong answer.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-127.0.0.1:8001}"

# Debian's packages install into the system interpreter, not into a pyenv or venv one.
python=/usr/bin/python3

packages=(protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf python3-numpy)
if ! command -v protoc >/dev/null || ! command -v grpc_python_plugin >/dev/null \
    || ! "$python" -c 'import grpc, numpy, google.protobuf' 2>/dev/null; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  echo "run.sh: installing ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

"$here/gen_stubs.sh"
exec "$python" "$here/example.py" "$target"
