package io.ringserve.batching;

/**
 * How one priority level's queue treats its requests, as Triton's {@code ModelQueuePolicy}: how
 * many may wait, how long, and what happens when the time is up.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxQueueSize requests that may wait at this level; 0 means bounded only by the ring
 * @param defaultTimeoutMicros how long a request may wait in the queue; 0 means no limit
 * @param timeoutAction what to do with a request whose timeout passed
 * @param allowTimeoutOverride whether a request may ask for a shorter timeout than the default
 */
public record QueuePolicy(
    int maxQueueSize,
    long defaultTimeoutMicros,
    TimeoutAction timeoutAction,
    boolean allowTimeoutOverride) {

  /** What happens to a request whose queue timeout passed. */
  public enum TimeoutAction {
    /** Answer it with a timeout failure; it never runs. */
    REJECT,
    /** Keep it, but serve it only after every request that has not timed out. */
    DELAY
  }

  /** No size limit beyond the ring, no timeout. */
  public static final QueuePolicy DEFAULT = new QueuePolicy(0, 0, TimeoutAction.REJECT, false);

  public QueuePolicy {
    if (maxQueueSize < 0) {
      throw new IllegalArgumentException("maxQueueSize must be >= 0, got " + maxQueueSize);
    }
    if (defaultTimeoutMicros < 0) {
      throw new IllegalArgumentException(
          "defaultTimeoutMicros must be >= 0, got " + defaultTimeoutMicros);
    }
    if (timeoutAction == null) {
      throw new IllegalArgumentException("timeoutAction must not be null");
    }
  }

  /**
   * The queue timeout that applies to a request that asked for {@code requestedMicros} (0 = none
   * asked): a request may only shorten the default, and only when overrides are allowed.
   */
  public long effectiveTimeoutMicros(long requestedMicros) {
    if (requestedMicros > 0 && allowTimeoutOverride) {
      return defaultTimeoutMicros == 0
          ? requestedMicros
          : Math.min(requestedMicros, defaultTimeoutMicros);
    }
    return defaultTimeoutMicros;
  }
}
