package io.ringserve.loadtest.internal;

import inference.GrpcService.ModelInferRequest;
import io.grpc.Status;

/**
 * Starts one inference call and reports its outcome, without blocking. Implementations are
 * thread-safe: the load loops call {@link #send} from their own thread and from completion
 * callbacks at once.
 */
public interface CallSender extends AutoCloseable {
  /**
   * Starts a call; {@code done} runs exactly once, on a transport thread (or, rarely, inline when
   * the call fails at once).
   *
   * @param lane spreads calls over connections ({@code lane % connections})
   */
  void send(int lane, ModelInferRequest request, Completion done);

  /** Ends whatever the sender holds open (streams); in-flight calls still complete. */
  @Override
  void close();

  /** The outcome of one call. */
  @FunctionalInterface
  interface Completion {
    /**
     * @param code {@link Status.Code#OK} or the failure's code
     * @param error {@code null} on success, else a one-line description (ghz's error key)
     */
    void complete(Status.Code code, String error);
  }

  /** ghz's error text for a failed status: {@code rpc error: code = X desc = Y}. */
  static String describe(Status status) {
    return "rpc error: code = "
        + Statuses.ghzName(status.getCode())
        + " desc = "
        + (status.getDescription() == null ? "" : status.getDescription());
  }
}
