#!/usr/bin/env bash
# Remote scoring against the load generator at the same concurrency (issue 20's "remote mode ...
# at least 0.8x the load generator's throughput"): one local server, then ROUNDS rounds that
# alternate `ringserve-loadtest -m mlp -b 128 -c 4` and `ringserve score --url ... --max-in-flight 4
# --batch-size 128`, printing each round's two throughputs and their ratio.
#
#   pipeline/scripts/remote-ratio.sh            # defaults below; env overrides:
#   ROWS=80000 ROUNDS=3 WARMUP_S=15 LOAD_S=10 CONCURRENCY=4 SCORE_OPTS="--mappers 2" \
#   WORK=/tmp/ringserve-remote-ratio pipeline/scripts/remote-ratio.sh
#
# Builds nothing: run `./mvnw -q -B -DskipTests package` first. The server, the load generator and
# the scorer share the machine's cores; compare ratios from one run, not figures across machines.
# JFR=1 records the scorer JVM's CPU samples into $WORK/score-N.jfr (for `jfr print`).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-80000}
ROUNDS=${ROUNDS:-3}
WARMUP_S=${WARMUP_S:-15}
LOAD_S=${LOAD_S:-10}
CONCURRENCY=${CONCURRENCY:-4}
SCORE_OPTS=${SCORE_OPTS:-}
WORK=${WORK:-/tmp/ringserve-remote-ratio}
server_jar=server/target/ringserve-server.jar
pipeline_jar=pipeline/target/ringserve-pipeline.jar
loadtest_jar=loadtest/target/ringserve-loadtest.jar
for j in "$server_jar" "$pipeline_jar" "$loadtest_jar"; do
  [ -f "$j" ] || { echo "missing $j: run ./mvnw -q -B -DskipTests package" >&2; exit 1; }
done
mkdir -p "$WORK"
csv="$WORK/mlp-$ROWS.csv"
if [ ! -f "$csv" ]; then
  java -cp "$pipeline_jar:$server_jar" io.ringserve.pipeline.cli.ScoreCommand generate \
    --features 784 --rows "$ROWS" -o "$csv" >&2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TF_ENABLE_ONEDNN_OPTS=1 TF_CPP_MIN_LOG_LEVEL=2
java -jar "$server_jar" serve --host 127.0.0.1 --grpc-port "$port" --allow-http false \
  --allow-metrics false >"$WORK/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done
load() { # $1: duration, $2: JSON report
  java -jar "$loadtest_jar" -u "127.0.0.1:$port" -m mlp -b 128 -c "$CONCURRENCY" -z "$1" \
    --warmup 2s -q -O json -o "$2" >/dev/null
}
# The port opens before the models have loaded: retry the warm-up until mlp answers.
for i in $(seq 1 60); do
  load "${WARMUP_S}s" "$WORK/warmup.json" 2>"$WORK/warmup.log" && break
  [ "$i" = 60 ] && { cat "$WORK/warmup.log" >&2; exit 1; }
  sleep 1
done
echo "round  loadgen_inferences/s  score_records/s  ratio"
for r in $(seq 1 "$ROUNDS"); do
  load "${LOAD_S}s" "$WORK/load-$r.json"
  jfr=()
  [ "${JFR:-0}" = 1 ] && jfr=(-XX:StartFlightRecording=filename="$WORK/score-$r.jfr",settings=profile)
  rm -f "$WORK/out-$r.jsonl"
  java -XX:+ExitOnOutOfMemoryError "${jfr[@]}" -cp "$pipeline_jar:$server_jar" \
    io.ringserve.pipeline.cli.ScoreCommand --model mlp --url "127.0.0.1:$port" \
    --max-in-flight "$CONCURRENCY" --batch-size 128 $SCORE_OPTS --progress-seconds 60 \
    --source "$csv" --sink "$WORK/out-$r.jsonl" --summary-json "$WORK/score-$r.json" \
    >/dev/null 2>"$WORK/score-$r.log"
  python3 - "$WORK/load-$r.json" "$WORK/score-$r.json" "$r" <<'PY'
import json, sys
load = json.load(open(sys.argv[1])); score = json.load(open(sys.argv[2]))
def find(d, keys):
    for k, v in d.items():
        if k in keys and isinstance(v, (int, float)): return v
        if isinstance(v, dict):
            f = find(v, keys)
            if f is not None: return f
    return None
lg = find(load, ("inferencesPerSecond", "inferences_per_second"))
sc = score["recordsPerSecond"]
assert score.get("errors", 0) == 0, score
print(f"{sys.argv[3]:>5}  {lg:>20,.0f}  {sc:>15,.0f}  {sc / lg:5.2f}")
PY
done
