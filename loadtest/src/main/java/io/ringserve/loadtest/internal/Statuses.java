package io.ringserve.loadtest.internal;

import io.grpc.Status;
import java.util.Locale;

/** gRPC status codes under the names ghz reports (Go's {@code codes.Code} strings). Stateless. */
public final class Statuses {
  private Statuses() {}

  /** {@code OK}, {@code Unavailable}, {@code DeadlineExceeded}, ... */
  public static String ghzName(Status.Code code) {
    if (code == Status.Code.OK) {
      return "OK";
    }
    StringBuilder sb = new StringBuilder();
    for (String part : code.name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return sb.toString();
  }
}
