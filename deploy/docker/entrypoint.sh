#!/bin/sh
# The container's ENTRYPOINT: runs `ringserve ARGS...` in a JVM that is the container's main
# process, so that SIGTERM from the kubelet reaches the server's graceful shutdown directly.
#
# Arguments that start with '-' get `serve` put in front (`--model-repository=/models ...` is
# enough, as with tritonserver). It writes nothing outside $TMPDIR (default /tmp): the image runs
# as user 1000 on a read-only root filesystem with an emptyDir at /tmp.
#
# Environment:
#   RINGSERVE_HOME  folder of ringserve-server.jar and its lib/ (default /opt/ringserve)
#   JAVA_OPTS       more JVM options, after the defaults below (so they can override them)
#   TMPDIR          the writable folder (default /tmp)
set -eu

home="${RINGSERVE_HOME:-/opt/ringserve}"
jar="$home/ringserve-server.jar"
tmp="${TMPDIR:-/tmp}"
if [ ! -f "$jar" ]; then
  echo "ringserve: no server jar at $jar (set RINGSERVE_HOME to its folder)" >&2
  exit 64
fi

case "${1:-}" in
  '' | -*) set -- serve "$@" ;;
esac

# TensorFlow reads these when its native library loads, before any Java code could set them.
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-1}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
# glibc hands blocks of 1 MiB and more (model weights, graph protos) back to the OS when they are
# freed, so that an unloaded model's memory leaves the RSS (docs/PERFORMANCE.md, "Model lifecycle").
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}"
# The bundled examples (served when no repository is given) are generated under the cache folder.
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$tmp/cache}"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# JavaCPP (TensorFlow) and ONNX Runtime unpack their native libraries at start: into $tmp, since
# the home folder is read-only. A JVM out of memory exits so that the kubelet restarts it.
# shellcheck disable=SC2086 # JAVA_OPTS holds several options, split on spaces on purpose.
exec "$java" \
  -XX:MaxRAMPercentage=75 \
  -XX:+ExitOnOutOfMemoryError \
  -Djava.io.tmpdir="$tmp" \
  -Dorg.bytedeco.javacpp.cachedir="$tmp/javacpp" \
  ${JAVA_OPTS:-} \
  -jar "$jar" "$@"
