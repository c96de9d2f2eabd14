#!/usr/bin/env bash
# Counts, per request, how often each of a server's threads slept and was woken (voluntary
# context switches), was preempted (involuntary), made write system calls (the worker's are the
# eventfd wake-ups of the event loops it answers on) and used CPU, over one measured load run.
#
#   [WARMUP_SECONDS=N] [LOADTEST_ARGS=...] scripts/thread-wakeups.sh SERVER_JAR MODEL CONCURRENCY [SECONDS]
#
# Starts SERVER_JAR (java -jar SERVER_JAR serve, the bundled examples, oneDNN on as ./ringserve
# does) on free ports of 127.0.0.1, warms it up with one load run, then reads
# /proc/PID/task/*/{stat,status,io} before and after a measured run of ringserve-loadtest
# (LOADTEST_JAR, default loadtest/target/ringserve-loadtest.jar) and prints per thread group:
# voluntary and involuntary switches, write calls and CPU microseconds per request.
# LOADTEST_ARGS go to both load runs (for example "--connections 16"); SERVER_JAVA_OPTS to the
# server's java; PROTOCOL=http drives the REST port instead of gRPC's. Counts are robust on a
# shared machine; CPU is not.
set -euo pipefail
jar=$1 model=$2 concurrency=$3 seconds=${4:-10}
loadtest=${LOADTEST_JAR:-loadtest/target/ringserve-loadtest.jar}
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
read -r grpc http metrics <<<"$ports"
target="-u 127.0.0.1:$grpc"
if [ "${PROTOCOL:-grpc}" = http ]; then
  target="-i http -u 127.0.0.1:$http"
fi
log=$(mktemp /tmp/thread-wakeups.XXXXXX.log)
TF_ENABLE_ONEDNN_OPTS=1 MALLOC_MMAP_THRESHOLD_=1048576 java ${SERVER_JAVA_OPTS:-} -jar "$jar" serve --host 127.0.0.1 \
  --grpc-port "$grpc" --http-port "$http" --metrics-port "$metrics" --metrics-address 127.0.0.1 \
  >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$http/v2/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$http/v2/health/ready" >/dev/null || { cat "$log"; exit 1; }
java -jar "$loadtest" $target -m "$model" -c "$concurrency" ${LOADTEST_ARGS:-} -z "${WARMUP_SECONDS:-10}s" --warmup 5s -q \
  >/dev/null
snapshot() {
  python3 - "$pid" <<'EOF'
import os, sys
pid = sys.argv[1]
for tid in os.listdir(f"/proc/{pid}/task"):
    base = f"/proc/{pid}/task/{tid}"
    try:
        stat = open(f"{base}/stat").read()
        status = open(f"{base}/status").read()
        io = open(f"{base}/io").read()
    except OSError:
        continue
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    values = dict(line.split(":\t") for line in status.splitlines() if ":\t" in line)
    ios = dict(line.split(": ") for line in io.splitlines())
    print(tid, comm.replace(" ", "_"), values["voluntary_ctxt_switches"].strip(),
          values["nonvoluntary_ctxt_switches"].strip(), ios["syscw"], ticks)
EOF
}
before=$(snapshot)
out=$(java -jar "$loadtest" $target -m "$model" -c "$concurrency" ${LOADTEST_ARGS:-} -z "${seconds}s" -O json)
after=$(snapshot)
requests=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["okCount"])' <<<"$out")
python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print("%s c=%s: %d ok, %d errors, %.0f requests/s" % (sys.argv[1], d["concurrency"], d["okCount"], d["errorCount"], d["rps"]))' "$model" <<<"$out"
python3 - "$requests" "$(getconf CLK_TCK)" <<EOF
import re, sys
requests, hz = int(sys.argv[1]), int(sys.argv[2])
def parse(text):
    rows = {}
    for line in text.splitlines():
        tid, comm, vol, invol, syscw, ticks = line.split()
        rows[tid] = (comm, int(vol), int(invol), int(syscw), int(ticks))
    return rows
before, after = parse("""$before"""), parse("""$after""")
groups = {}
for tid, (comm, *values) in after.items():
    old = before.get(tid, (comm, 0, 0, 0, 0))[1:]
    name = re.sub(r"-?\d+$", "", comm)
    total = groups.setdefault(name, [0, 0, 0, 0, 0])
    total[0] += 1
    for i, (new, was) in enumerate(zip(values, old)):
        total[i + 1] += new - was
print(f"requests {requests}")
print(f"{'threads':<18}{'n':>3}{'vol/req':>10}{'invol/req':>11}{'writes/req':>12}{'cpu us/req':>12}")
for name, (n, vol, invol, syscw, ticks) in sorted(groups.items(), key=lambda g: -g[1][4]):
    if vol + invol + ticks == 0:
        continue
    r = max(requests, 1)
    print(f"{name:<18}{n:>3}{vol / r:>10.3f}{invol / r:>11.3f}{syscw / r:>12.3f}{ticks * 1e6 / hz / r:>12.1f}")
EOF
