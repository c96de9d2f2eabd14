#!/usr/bin/env bash
# CI check of the clients in other languages: starts a RingServe on 127.0.0.1 (gRPC on the first
# free port from 18001, REST on the next free one) over the bundled example models, runs the Python
# (gRPC and standard-library REST) and Node examples and the ringserve-infer command against it,
# and always stops it. Fails if any of them fails.
# Needs the jars of `./mvnw package` (or verify). Usage: client/examples/run-all.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
server_jar="$root/server/target/ringserve-server.jar"
infer_jar="$root/client/target/ringserve-infer.jar"
ready_timeout_s="${RINGSERVE_READY_TIMEOUT_S:-180}"

for jar in "$server_jar" "$infer_jar"; do
  if [[ ! -f "$jar" ]]; then
    echo "run-all.sh: $jar is missing; run ./mvnw package first" >&2
    exit 1
  fi
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${RINGSERVE_EXAMPLES_PORT:-18001}"
for _ in $(seq 1 50); do
  port_in_use "$port" || break
  port=$((port + 1))
done
http_port=$((port + 1))
for _ in $(seq 1 50); do
  port_in_use "$http_port" || break
  http_port=$((http_port + 1))
done
if port_in_use "$port" || port_in_use "$http_port"; then
  echo "run-all.sh: no free ports found from ${RINGSERVE_EXAMPLES_PORT:-18001}" >&2
  exit 1
fi

log="$(mktemp -t ringserve-examples-server.XXXXXX.log)"
TF_CPP_MIN_LOG_LEVEL=2 java -jar "$server_jar" serve \
  --host 127.0.0.1 --grpc-port "$port" --http-port "$http_port" --allow-metrics false >"$log" 2>&1 &
server_pid=$!

stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # The server finishes queued requests on SIGTERM; do not wait on it for ever.
    for _ in $(seq 1 30); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  rm -f "$log"
}
trap stop_server EXIT

echo "run-all.sh: starting RingServe on 127.0.0.1:$port (gRPC), :$http_port (REST) (log: $log)"
deadline=$((SECONDS + ready_timeout_s))
until grep -q "ready:" "$log"; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run-all.sh: the server exited before it was ready:" >&2
    cat "$log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "run-all.sh: the server was not ready after ${ready_timeout_s}s:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done

target="127.0.0.1:$port"
failed=()
run() {
  local name="$1"
  shift
  echo "=== $name"
  if "$@"; then
    echo "=== $name: ok"
  else
    echo "=== $name: FAILED" >&2
    failed+=("$name")
  fi
}
run python "$root/client/examples/python/run.sh" "$target"
# Standard library only: no install step, so it runs on any machine with a python3.
run python-rest python3 "$root/client/examples/python/rest_example.py" "127.0.0.1:$http_port"
run node "$root/client/examples/node/run.sh" "$target"
run ringserve-infer-health java -jar "$infer_jar" health --url "$target" --model simple
run ringserve-infer java -jar "$infer_jar" --url "$target" --model simple \
  --input INPUT0=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 --input INPUT1=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1

if ((${#failed[@]} > 0)); then
  echo "run-all.sh: failed: ${failed[*]}" >&2
  echo "--- server log" >&2
  cat "$log" >&2
  exit 1
fi
echo "run-all.sh: all client examples passed"
