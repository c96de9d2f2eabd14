#!/usr/bin/env bash
# Generates Python message classes and gRPC stubs from RingServe's proto/ into ./generated,
# with Debian's protoc (protobuf-compiler) and grpc_python_plugin (protobuf-compiler-grpc).
# Does nothing when the stubs are newer than the .proto files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
protos="$here/../../../proto/src/main/proto"
out="$here/generated"

stamp="$out/.stamp"
if [[ -f "$stamp" ]] && [[ -z "$(find "$protos" -name '*.proto' -newer "$stamp" -print -quit)" ]]; then
  exit 0
fi

plugin="$(command -v grpc_python_plugin || true)"
if [[ -z "$plugin" ]] || ! command -v protoc >/dev/null; then
  echo "gen_stubs.sh: needs protoc and grpc_python_plugin (apt-get install protobuf-compiler protobuf-compiler-grpc)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
protoc -I "$protos" \
  --python_out="$out" \
  --grpc_out="$out" --plugin=protoc-gen-grpc="$plugin" \
  "$protos/grpc_service.proto" "$protos/model_config.proto"
touch "$stamp"
echo "gen_stubs.sh: generated Python stubs in $out"
