#!/usr/bin/env python3
"""Calls RingServe from Python with stubs generated from proto/ (see gen_stubs.sh).

Runs the example models `simple` (INT32 sum and difference) and `mlp` (FP32 784 -> 10 softmax),
with unary calls and over a ModelStreamInfer stream, checks every answer and exits 1 on a wrong
one. Usage: example.py [HOST:PORT]   (default 127.0.0.1:8001)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated"))

import grpc  # noqa: E402
import numpy as np  # noqa: E402

import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as pb_grpc  # noqa: E402

# v2 datatype names <-> little-endian numpy dtypes (raw contents are little-endian).
DTYPES = {"INT32": "<i4", "INT64": "<i8", "FP32": "<f4", "FP64": "<f8", "UINT8": "u1", "BOOL": "?"}
NAMES = {np.dtype(v).newbyteorder("="): k for k, v in DTYPES.items()}
TIMEOUT_S = 30


def make_request(model, inputs, request_id=""):
    """A ModelInferRequest with each numpy array as raw little-endian contents."""
    request = pb.ModelInferRequest(model_name=model, id=request_id)
    for name, array in inputs.items():
        array = np.ascontiguousarray(array)
        tensor = request.inputs.add()
        tensor.name = name
        tensor.datatype = NAMES[array.dtype.newbyteorder("=")]
        tensor.shape.extend(array.shape)
        request.raw_input_contents.append(array.astype(DTYPES[tensor.datatype]).tobytes())
    return request


def outputs_of(response):
    """The response's outputs as numpy arrays, by name."""
    return {
        o.name: np.frombuffer(response.raw_output_contents[i], dtype=DTYPES[o.datatype]).reshape(
            tuple(o.shape))
        for i, o in enumerate(response.outputs)
    }


class WrongAnswer(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise WrongAnswer(message)


def run_simple(stub):
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), 3, dtype=np.int32)
    response = stub.ModelInfer(make_request("simple", {"INPUT0": a, "INPUT1": b}), timeout=TIMEOUT_S)
    out = outputs_of(response)
    print("simple OUTPUT0 (INPUT0 + INPUT1):", out["OUTPUT0"].tolist())
    print("simple OUTPUT1 (INPUT0 - INPUT1):", out["OUTPUT1"].tolist())
    expect(np.array_equal(out["OUTPUT0"], a + b), "simple: OUTPUT0 is not INPUT0 + INPUT1")
    expect(np.array_equal(out["OUTPUT1"], a - b), "simple: OUTPUT1 is not INPUT0 - INPUT1")


def run_mlp(stub):
    rng = np.random.default_rng(7)
    images = rng.random((4, 784), dtype=np.float32)
    request = make_request("mlp", {"INPUT0": images})
    first = outputs_of(stub.ModelInfer(request, timeout=TIMEOUT_S))["OUTPUT0"]
    second = outputs_of(stub.ModelInfer(request, timeout=TIMEOUT_S))["OUTPUT0"]
    print("mlp OUTPUT0 shape", list(first.shape), "argmax per image", first.argmax(axis=1).tolist())
    expect(first.shape == (4, 10), f"mlp: OUTPUT0 shape {first.shape}, expected (4, 10)")
    expect(bool(np.all((first >= 0) & (first <= 1))), "mlp: probabilities outside [0, 1]")
    expect(bool(np.allclose(first.sum(axis=1), 1.0, atol=1e-4)), "mlp: rows do not sum to 1")
    expect(np.array_equal(first, second), "mlp: the same input gave different outputs")


def run_stream(stub):
    """Eight requests over one stream; answers may come back in any order, matched by id."""
    b = np.ones((1, 16), dtype=np.int32)
    sent = {f"req-{i}": np.full((1, 16), i * 10, dtype=np.int32) for i in range(8)}
    # Built up front: gRPC consumes the requests on its own thread while answers arrive here and
    # are popped from `sent`, so a lazy generator over `sent` would see it change mid-iteration.
    requests = [make_request("simple", {"INPUT0": a, "INPUT1": b}, rid) for rid, a in sent.items()]
    answered = 0
    for reply in stub.ModelStreamInfer(iter(requests), timeout=TIMEOUT_S):
        expect(reply.error_message == "", f"stream: error {reply.error_message!r}")
        rid = reply.infer_response.id
        expect(rid in sent, f"stream: answer for unknown id {rid!r}")
        out = outputs_of(reply.infer_response)
        expect(np.array_equal(out["OUTPUT0"], sent.pop(rid) + b), f"stream: wrong sum for {rid}")
        answered += 1
    expect(not sent, f"stream: no answer for {sorted(sent)}")
    print(f"stream: {answered} answers, each matched to its request by id")


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8001"
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT_S)
        stub = pb_grpc.GRPCInferenceServiceStub(channel)
        expect(stub.ServerReady(pb.ServerReadyRequest(), timeout=TIMEOUT_S).ready, "server not ready")
        meta = stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=TIMEOUT_S)
        print(f"connected to {meta.name} {meta.version} at {target}")
        run_simple(stub)
        run_mlp(stub)
        run_stream(stub)
    print("python example: all answers correct")


if __name__ == "__main__":
    try:
        main()
    except WrongAnswer as e:
        print(f"python example: WRONG ANSWER: {e}", file=sys.stderr)
        sys.exit(1)
    except grpc.RpcError as e:
        print(f"python example: call failed: {e.code()}: {e.details()}", file=sys.stderr)
        sys.exit(1)
