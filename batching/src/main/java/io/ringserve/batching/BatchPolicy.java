package io.ringserve.batching;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model's requests are grouped into batches, following Triton's dynamic batcher settings
 * ({@code max_batch_size} and the {@code dynamic_batching} block of {@code config.pbtxt}).
 *
 * <p>A model with {@code maxBatchSize == 0} does not batch: its inputs have no batch dimension and
 * each request runs alone. A model that batches but has dynamic batching off runs each request
 * alone too, with the request's own batch dimension.
 *
 * <p>Immutable and thread-safe.
 */
public final class BatchPolicy {
  private final int maxBatchSize;
  private final boolean dynamicBatching;
  private final int[] preferredBatchSizes;
  private final long maxQueueDelayMicros;
  private final boolean preserveOrdering;
  private final int priorityLevels;
  private final int defaultPriorityLevel;
  private final QueuePolicy defaultQueuePolicy;
  private final Map<Integer, QueuePolicy> priorityQueuePolicies;

  private BatchPolicy(Builder b) {
    this.maxBatchSize = b.maxBatchSize;
    this.dynamicBatching = b.dynamicBatching;
    this.preferredBatchSizes = b.preferredBatchSizes.clone();
    Arrays.sort(this.preferredBatchSizes);
    this.maxQueueDelayMicros = b.maxQueueDelayMicros;
    this.preserveOrdering = b.preserveOrdering;
    this.priorityLevels = Math.max(1, b.priorityLevels);
    this.defaultPriorityLevel = b.defaultPriorityLevel == 0 ? 1 : b.defaultPriorityLevel;
    this.defaultQueuePolicy = b.defaultQueuePolicy;
    this.priorityQueuePolicies = Map.copyOf(b.priorityQueuePolicies);
    if (defaultPriorityLevel > priorityLevels) {
      throw new IllegalArgumentException(
          "defaultPriorityLevel "
              + defaultPriorityLevel
              + " is above priorityLevels "
              + priorityLevels);
    }
    for (int size : preferredBatchSizes) {
      if (size < 1 || (maxBatchSize > 0 && size > maxBatchSize)) {
        throw new IllegalArgumentException(
            "preferred batch size " + size + " is not in [1, maxBatchSize " + maxBatchSize + "]");
      }
    }
    for (int level : priorityQueuePolicies.keySet()) {
      if (level < 1 || level > priorityLevels) {
        throw new IllegalArgumentException(
            "queue policy for priority level " + level + " is not in [1, " + priorityLevels + "]");
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The policy of a model that does not batch and has no queue limits. */
  public static BatchPolicy unbatched() {
    return builder().build();
  }

  /** Largest total batch dimension of one execution; 0 if the model's inputs have no batch dim. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** True if the model's inputs carry a leading batch dimension. */
  public boolean batchesRequests() {
    return maxBatchSize > 0;
  }

  /** True if several requests may be joined into one execution. */
  public boolean dynamicBatching() {
    return dynamicBatching && maxBatchSize > 0;
  }

  /** Batch sizes to dispatch as soon as they are reached, ascending. */
  public int[] preferredBatchSizes() {
    return preferredBatchSizes.clone();
  }

  /** Longest wait for batch-mates, counted from the oldest queued request's arrival. */
  public long maxQueueDelayMicros() {
    return maxQueueDelayMicros;
  }

  /** True if responses must leave in the order the requests arrived. */
  public boolean preserveOrdering() {
    return preserveOrdering;
  }

  /** Number of priority levels; level 1 is served first. */
  public int priorityLevels() {
    return priorityLevels;
  }

  /** The level of a request that names none. */
  public int defaultPriorityLevel() {
    return defaultPriorityLevel;
  }

  /** The queue policy of {@code level} (its own if configured, else the default). */
  public QueuePolicy queuePolicy(int level) {
    return priorityQueuePolicies.getOrDefault(level, defaultQueuePolicy);
  }

  /**
   * The level a request asking for {@code requested} gets: the default for 0, else the request's
   * own level.
   *
   * @throws IllegalArgumentException if the level is above {@link #priorityLevels()}
   */
  public int levelFor(int requested) {
    if (requested == 0) {
      return defaultPriorityLevel;
    }
    if (requested > priorityLevels) {
      throw new IllegalArgumentException(
          "priority " + requested + " is above the model's " + priorityLevels + " priority levels");
    }
    return requested;
  }

  @Override
  public String toString() {
    return "BatchPolicy{maxBatchSize="
        + maxBatchSize
        + ", dynamicBatching="
        + dynamicBatching
        + ", preferred="
        + Arrays.toString(preferredBatchSizes)
        + ", maxQueueDelayMicros="
        + maxQueueDelayMicros
        + ", preserveOrdering="
        + preserveOrdering
        + ", priorityLevels="
        + priorityLevels
        + "}";
  }

  /** Builds a {@link BatchPolicy}; not thread-safe. */
  public static final class Builder {
    private int maxBatchSize;
    private boolean dynamicBatching;
    private int[] preferredBatchSizes = new int[0];
    private long maxQueueDelayMicros;
    private boolean preserveOrdering;
    private int priorityLevels = 1;
    private int defaultPriorityLevel;
    private QueuePolicy defaultQueuePolicy = QueuePolicy.DEFAULT;
    private final Map<Integer, QueuePolicy> priorityQueuePolicies = new HashMap<>();

    private Builder() {}

    public Builder maxBatchSize(int maxBatchSize) {
      if (maxBatchSize < 0) {
        throw new IllegalArgumentException("maxBatchSize must be >= 0, got " + maxBatchSize);
      }
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    public Builder dynamicBatching(boolean dynamicBatching) {
      this.dynamicBatching = dynamicBatching;
      return this;
    }

    public Builder preferredBatchSizes(int... sizes) {
      this.preferredBatchSizes = Objects.requireNonNull(sizes, "sizes").clone();
      return this;
    }

    public Builder maxQueueDelayMicros(long micros) {
      if (micros < 0) {
        throw new IllegalArgumentException("maxQueueDelayMicros must be >= 0, got " + micros);
      }
      this.maxQueueDelayMicros = micros;
      return this;
    }

    public Builder preserveOrdering(boolean preserveOrdering) {
      this.preserveOrdering = preserveOrdering;
      return this;
    }

    public Builder priorityLevels(int levels) {
      if (levels < 0) {
        throw new IllegalArgumentException("priorityLevels must be >= 0, got " + levels);
      }
      this.priorityLevels = levels;
      return this;
    }

    public Builder defaultPriorityLevel(int level) {
      if (level < 0) {
        throw new IllegalArgumentException("defaultPriorityLevel must be >= 0, got " + level);
      }
      this.defaultPriorityLevel = level;
      return this;
    }

    public Builder defaultQueuePolicy(QueuePolicy policy) {
      this.defaultQueuePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder priorityQueuePolicy(int level, QueuePolicy policy) {
      this.priorityQueuePolicies.put(level, Objects.requireNonNull(policy, "policy"));
      return this;
    }

    public BatchPolicy build() {
      return new BatchPolicy(this);
    }
  }
}
