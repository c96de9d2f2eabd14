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
# Two ratios per scorer: "cold" is the whole run's records/s (--summary-json: a fresh JVM, its JIT
# compilation included, on the same cores as the server); "warm" leaves out the scorer's first
# WARM_S seconds (default 2, as the load generator's --warmup 2s), from its once-a-second progress
# lines. The load generator itself runs warm. SCORE_JAVA_OPTS: JVM options of the scorer (e.g.
# -XX:TieredStopAtLevel=1, see docs/PERFORMANCE.md "Remote mode's cost"). The last figure of each
# scorer, its process's CPU time (user + system, JVM start included) per record, is the one that
# noise from other processes disturbs least.
# JFR=1 records the scorer JVM's CPU samples into $WORK/score-N.jfr (for `jfr print`).
# BASELINE=path/to/an/older/ringserve-pipeline.jar also runs that scorer in each round, right after
# this checkout's, for before/after ratios from the same machine state.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-80000}
ROUNDS=${ROUNDS:-3}
WARMUP_S=${WARMUP_S:-15}
LOAD_S=${LOAD_S:-10}
CONCURRENCY=${CONCURRENCY:-4}
SCORE_OPTS=${SCORE_OPTS:-}
SCORE_JAVA_OPTS=${SCORE_JAVA_OPTS:-}
WARM_S=${WARM_S:-2}
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
echo "round | loadgen inferences/s, scorer cold records/s, cold ratio, warm records/s, warm ratio, scorer CPU us/record${BASELINE:+ | the same for BASELINE}"
for r in $(seq 1 "$ROUNDS"); do
  load "${LOAD_S}s" "$WORK/load-$r.json"
  jfr=()
  [ "${JFR:-0}" = 1 ] && jfr=(-XX:StartFlightRecording=filename="$WORK/score-$r.jfr",settings=profile)
  line="$r"
  for which in current ${BASELINE:+baseline}; do
    jar=$pipeline_jar
    [ "$which" = baseline ] && jar=$BASELINE
    rm -f "$WORK/out-$which.jsonl"
    /usr/bin/time -f "%U %S" -o "$WORK/$which-$r.time" \
      java -XX:+ExitOnOutOfMemoryError $SCORE_JAVA_OPTS "${jfr[@]}" -cp "$jar:$server_jar" \
      io.ringserve.pipeline.cli.ScoreCommand --model mlp --url "127.0.0.1:$port" \
      --max-in-flight "$CONCURRENCY" --batch-size 128 $SCORE_OPTS --progress-seconds 1 \
      --source "$csv" --sink "$WORK/out-$which.jsonl" --summary-json "$WORK/$which-$r.json" \
      >/dev/null 2>"$WORK/$which-$r.log"
    jfr=()
    line="$line | $(python3 - "$WORK/load-$r.json" "$WORK/$which-$r.json" "$WORK/$which-$r.log" "$WARM_S" "$WORK/$which-$r.time" <<'PY'
import json, re, sys
load = json.load(open(sys.argv[1]))["inferencesPerSecond"]
score = json.load(open(sys.argv[2]))
assert score["errors"] == 0, score
warm_s = float(sys.argv[4])
# Progress lines come once a second: the one after warm_s seconds gives the records done by then.
done = [int(m.group(1).replace(",", "")) for m in
        re.finditer(r"^score: (?:[ 0-9.]+% )?(?:ETA \S+ )?([0-9,]+) records,", open(sys.argv[3]).read(), re.M)]
k = int(round(warm_s))
warm = "-"
if len(done) > k and score["elapsedSeconds"] > k + 0.5:
    rate = (score["records"] - done[k - 1]) / (score["elapsedSeconds"] - k)
    warm = f"{rate:.0f} {rate / load:.2f}"
user, system = map(float, open(sys.argv[5]).read().split()[-2:])
cpu = (user + system) / score["records"] * 1e6
print(f"{load:.0f} {score['recordsPerSecond']:.0f} {score['recordsPerSecond'] / load:.2f} {warm} {cpu:.0f}")
PY
)"
  done
  if [ -n "${BASELINE:-}" ] && ! cmp -s "$WORK/out-current.jsonl" "$WORK/out-baseline.jsonl"; then
    line="$line (outputs differ!)"
  fi
  echo "$line"
done
