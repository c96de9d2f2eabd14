#!/usr/bin/env bash
# Throughput of the example `mlp` on the GPU (KIND_GPU), at batch 1 and batch 128: the GPU figure
# of the model-lifecycle issue, for docs/PERFORMANCE.md. Run it from anywhere, on a machine with an
# NVIDIA GPU and its driver:
#
#   scripts/gpu-throughput.sh            # builds with -Pgpu, serves mlp on GPU 0, prints figures
#   DURATION=10 scripts/gpu-throughput.sh
#
# The -Pgpu build needs TensorFlow's linux-x86_64-gpu natives and onnxruntime_gpu in the local
# Maven repository (downloaded on a machine with network access; an offline machine without them
# fails at the build with Maven's message). Without a GPU the script stops at once, before building.
# Ports: GRPC_PORT / HTTP_PORT (default 18561 / 18562), 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-8}"
GRPC_PORT="${GRPC_PORT:-18561}"
HTTP_PORT="${HTTP_PORT:-18562}"

if [ ! -d /proc/driver/nvidia/gpus ] || [ -z "$(ls -A /proc/driver/nvidia/gpus 2>/dev/null)" ]; then
  echo "gpu-throughput: no NVIDIA GPU here (/proc/driver/nvidia/gpus is missing or empty);" \
    "run this on a GPU machine" >&2
  exit 2
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

echo "gpu-throughput: building the server and the load generator with -Pgpu..." >&2
./mvnw -B -q -Pgpu -DskipTests -pl server,loadtest -am package

work="$(mktemp -d)"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

java -jar server/target/ringserve-server.jar examples --out "$work/examples" >/dev/null
mkdir -p "$work/repo"
cp -r "$work/examples/mlp" "$work/repo/mlp"
# On the GPU, one session: the per-range sessions are a oneDNN (CPU) remedy and would hold three
# copies of the weights on the device.
sed -i '/split_sessions_at_batch_sizes/d' "$work/repo/mlp/config.pbtxt"
echo 'instance_group [ { count: 1 kind: KIND_GPU gpus: [ 0 ] } ]' >> "$work/repo/mlp/config.pbtxt"

TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}" java -XX:+ExitOnOutOfMemoryError -jar server/target/ringserve-server.jar serve \
  --model-repository "$work/repo" --host 127.0.0.1 --grpc-port "$GRPC_PORT" \
  --http-address 127.0.0.1 --http-port "$HTTP_PORT" --allow-metrics false >"$work/server.log" 2>&1 &
server_pid=$!

ready=
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$HTTP_PORT/v2/models/mlp/ready" >/dev/null 2>&1; then ready=1; break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 1
done
if [ -z "$ready" ]; then
  echo "gpu-throughput: mlp did not become ready on the GPU; the server's log:" >&2
  tail -40 "$work/server.log" >&2
  exit 1
fi
grep -i -m3 'gpu\|device' "$work/server.log" || true

loadtest() {
  echo "== $*"
  java -jar loadtest/target/ringserve-loadtest.jar -p "$GRPC_PORT" -m mlp -z "${DURATION}s" --warmup 3s "$@"
}
loadtest -b 1 -c 1
loadtest -b 1 -c 64
loadtest -b 128 -c 1
loadtest -b 128 -c 4
curl -sf "http://127.0.0.1:$HTTP_PORT/v2/models/mlp/stats" | head -c 2000 || true
echo
