package io.ringserve.loadtest;

/**
 * How calls reach the server, as perf_analyzer's {@code -i}: the KServe v2 gRPC service, or its
 * REST (HTTP/1.1) protocol. Over HTTP, {@link ContentsMode#RAW} inputs travel as binary tensor data
 * (Triton's binary extension, outputs asked for as binary too) and {@link ContentsMode#TYPED}
 * inputs as JSON {@code data} arrays (outputs come back as JSON).
 */
public enum Protocol {
  GRPC,
  HTTP;

  /** Triton's port for this protocol: 8001 for gRPC, 8000 for HTTP. */
  public int defaultPort() {
    return this == GRPC ? 8001 : 8000;
  }
}
