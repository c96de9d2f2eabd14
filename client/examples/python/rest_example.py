"""Calls RingServe's KServe v2 REST port from Python with the standard library only.

No generated stubs, no numpy, no third-party HTTP client: `urllib.request` for the calls, `json`
for the JSON header and `struct` for binary tensors (Triton's binary tensor data extension). It
checks health and metadata, runs the example model `simple` (INT32 sum and difference) with JSON
tensors and `mlp` (FP32 784 -> 10 softmax) with a binary input and binary output, checks every
answer and exits 1 on a wrong one.

Usage: rest_example.py [HOST:PORT]   (default 127.0.0.1:8000)
"""
import json
import struct
import sys
import urllib.error
import urllib.request

TIMEOUT_S = 30
HEADER_LENGTH = "Inference-Header-Content-Length"


class WrongAnswer(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise WrongAnswer(message)


def call(base, method, path, body=None, headers=None):
    """One HTTP call; returns (status, headers, body bytes). Error statuses are returned too."""
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check_health_and_metadata(base):
    for path in ("/v2/health/live", "/v2/health/ready", "/v2/models/simple/ready"):
        status, _, _ = call(base, "GET", path)
        expect(status == 200, f"GET {path}: status {status}, expected 200")
    status, _, body = call(base, "GET", "/v2")
    expect(status == 200, f"GET /v2: status {status}")
    server = json.loads(body)
    expect("binary_tensor_data" in server.get("extensions", []), "no binary_tensor_data extension")
    print(f"connected to {server['name']} {server['version']} at {base}")
    status, _, body = call(base, "GET", "/v2/models/simple")
    expect(status == 200, f"GET /v2/models/simple: status {status}")
    model = json.loads(body)
    print("simple inputs:", [(t["name"], t["datatype"], t["shape"]) for t in model["inputs"]])
    # An unknown model answers 404 with {"error": "..."}, as Triton does.
    status, _, body = call(base, "GET", "/v2/models/no_such_model")
    expect(status == 404, f"unknown model: status {status}, expected 404")
    expect(json.loads(body).get("error"), "unknown model: no error message")


def run_simple_json(base):
    a = list(range(16))
    b = [3] * 16
    request = {
        "id": "json-1",
        "inputs": [
            {"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": a},
            {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": b},
        ],
    }
    status, _, body = call(
        base,
        "POST",
        "/v2/models/simple/infer",
        json.dumps(request).encode(),
        {"Content-Type": "application/json"},
    )
    expect(status == 200, f"simple: status {status}: {body[:200]!r}")
    answer = json.loads(body)
    expect(answer.get("id") == "json-1", f"simple: id {answer.get('id')!r} not echoed")
    out = {o["name"]: o["data"] for o in answer["outputs"]}
    print("simple OUTPUT0 (INPUT0 + INPUT1):", out["OUTPUT0"])
    print("simple OUTPUT1 (INPUT0 - INPUT1):", out["OUTPUT1"])
    expect(out["OUTPUT0"] == [x + y for x, y in zip(a, b)], "simple: OUTPUT0 is not the sum")
    expect(out["OUTPUT1"] == [x - y for x, y in zip(a, b)], "simple: OUTPUT1 is not the difference")


def run_mlp_binary(base):
    """The JSON header, then the raw little-endian input; the output comes back binary too."""
    pixels = [(i % 17) / 17.0 for i in range(784)]
    raw = struct.pack("<784f", *pixels)
    header = json.dumps(
        {
            "inputs": [
                {
                    "name": "INPUT0",
                    "datatype": "FP32",
                    "shape": [1, 784],
                    "parameters": {"binary_data_size": len(raw)},
                }
            ],
            "outputs": [{"name": "OUTPUT0", "parameters": {"binary_data": True}}],
        }
    ).encode()
    status, headers, body = call(
        base,
        "POST",
        "/v2/models/mlp/infer",
        header + raw,
        {"Content-Type": "application/octet-stream", HEADER_LENGTH: str(len(header))},
    )
    expect(status == 200, f"mlp: status {status}: {body[:200]!r}")
    header_length = int(headers[HEADER_LENGTH])
    answer = json.loads(body[:header_length])
    output = answer["outputs"][0]
    size = output["parameters"]["binary_data_size"]
    expect(output["shape"] == [1, 10], f"mlp: OUTPUT0 shape {output['shape']}, expected [1, 10]")
    expect(size == 40, f"mlp: binary_data_size {size}, expected 40")
    probabilities = struct.unpack("<10f", body[header_length : header_length + size])
    best = max(range(10), key=lambda i: probabilities[i])
    print("mlp OUTPUT0 (binary):", [round(p, 4) for p in probabilities], "argmax", best)
    expect(all(0 <= p <= 1 for p in probabilities), "mlp: probabilities outside [0, 1]")
    expect(abs(sum(probabilities) - 1) < 1e-4, "mlp: probabilities do not sum to 1")


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
    base = target if target.startswith("http") else "http://" + target
    check_health_and_metadata(base)
    run_simple_json(base)
    run_mlp_binary(base)
    print("python REST example: all answers correct")


if __name__ == "__main__":
    try:
        main()
    except WrongAnswer as e:
        print(f"python REST example: WRONG ANSWER: {e}", file=sys.stderr)
        sys.exit(1)
    except (urllib.error.URLError, OSError) as e:
        print(f"python REST example: call failed: {e}", file=sys.stderr)
        sys.exit(1)
