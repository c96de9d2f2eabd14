package io.ringserve.batching;

import io.ringserve.batching.internal.DisruptorModelScheduler;
import java.util.List;

/**
 * Starts {@link ModelScheduler}s: the entry point to the batching core.
 *
 * <p>Each scheduler owns one LMAX Disruptor ring buffer (multi-producer; sized to the sum of the
 * levels' {@code max_queue_size} rounded up to a power of two, or 8192 slots when a level is
 * unbounded), one batcher thread named {@code ringserve-batcher-<model>} and one worker thread per
 * instance named {@code ringserve-worker-<model>-<i>}. Idle threads park and cost no CPU.
 *
 * <p>Thread-safe and stateless.
 */
public final class ModelSchedulers {
  private ModelSchedulers() {}

  /**
   * Starts a running scheduler for one model version.
   *
   * @param modelName the model's name, used in thread names and messages
   * @param policy how requests are queued and batched
   * @param instances one runner per model instance; each is used by one worker thread and closed by
   *     it when the scheduler shuts down
   * @throws IllegalArgumentException if {@code modelName} is empty or {@code instances} is empty
   * @throws NullPointerException if an argument or a runner is null
   */
  public static ModelScheduler start(
      String modelName, BatchPolicy policy, List<? extends ModelRunner> instances) {
    return DisruptorModelScheduler.start(modelName, policy, instances);
  }

  /**
   * {@link #start(String, BatchPolicy, List)}, with the input bytes of the requests it has accepted
   * and not answered bounded by {@code budget} (a new budget per model, whose parent may be shared
   * by all models): a request that does not fit is answered {@link
   * InferenceException.Reason#QUEUE_FULL} at once, with a message naming the limit.
   */
  public static ModelScheduler start(
      String modelName,
      BatchPolicy policy,
      List<? extends ModelRunner> instances,
      TensorBytesBudget budget) {
    ModelScheduler scheduler = DisruptorModelScheduler.start(modelName, policy, instances);
    return budget == null ? scheduler : new BudgetedScheduler(scheduler, budget);
  }
}
