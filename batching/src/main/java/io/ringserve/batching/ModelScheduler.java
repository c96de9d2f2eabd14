package io.ringserve.batching;

import java.time.Duration;

/**
 * Queues, batches and runs the requests of one model version on its instances.
 *
 * <p>Thread-safe: any number of threads may {@link #submit} at once. {@code submit} never blocks
 * and never throws for a well-formed request: every request is answered exactly once through its
 * callback, with its outputs or with an {@link InferenceException}.
 */
public interface ModelScheduler {

  /**
   * Queues a request. A full queue or a stopped scheduler answers the request at once, on the
   * calling thread, with {@link InferenceException.Reason#QUEUE_FULL} or {@link
   * InferenceException.Reason#UNAVAILABLE}.
   */
  void submit(InferenceRequest request);

  /**
   * The failure {@link #submit} would now answer a request of the default priority level with for a
   * full queue, or {@code null} when a request may be submitted. For front ends that learn the
   * model before a large request's body: reading a body only to refuse it is most of what a refusal
   * costs under overload. A caller that answers a request with it reports so through {@link
   * #countRefused}. Racy by nature, as a refusal at submit is: a request that passes may still be
   * refused there.
   */
  default InferenceException fullQueueRefusal() {
    return null;
  }

  /**
   * Counts a request answered with {@link #fullQueueRefusal} in the statistics, as submit would.
   */
  default void countRefused() {}

  /** The batching policy this scheduler applies. */
  BatchPolicy policy();

  /** A consistent-enough snapshot of the statistics, cheap to take. */
  ModelStatistics statistics();

  /** Requests queued or running and not yet answered. */
  int pendingRequests();

  /**
   * Why this scheduler can no longer be trusted to serve (one of its threads failed or ended
   * unexpectedly), for readiness to report; {@code null} while healthy. Cheap.
   */
  default String failure() {
    return null;
  }

  /**
   * Stops accepting requests, lets queued and running requests finish for at most {@code grace},
   * then answers whatever is left with {@link InferenceException.Reason#UNAVAILABLE} and closes the
   * runners. Blocks until done.
   */
  void shutdown(Duration grace);

  /**
   * Whether no thread of this scheduler runs a runner any more: true once {@link #shutdown} has
   * returned and every worker has ended. A worker stuck in a runner past the shutdown's wait makes
   * it false, and the model's native memory must then not be freed under it. The default suits
   * schedulers that own no threads.
   */
  default boolean isTerminated() {
    return true;
  }

  /** {@link #shutdown} with no grace: queued requests are answered UNAVAILABLE at once. */
  default void shutdownNow() {
    shutdown(Duration.ZERO);
  }
}
