package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Runs each batch on the runner of its batch-size range: range 0 below the first boundary, range i
 * from boundary i-1 up to (not including) boundary i, the last range from the last boundary on.
 *
 * <p>Why: TensorFlow with oneDNN keeps a model's weights in one layout per session, chosen by the
 * first run, and re-lays them out on every run whose batch size needs another kernel. A session per
 * range keeps each range's layout (docs/PERFORMANCE.md).
 *
 * <p>Used by one worker thread at a time, as every runner.
 */
final class BatchSizeRouter implements ModelRunner {
  private final long[] boundaries;
  private final List<ModelRunner> runners;

  /**
   * @param boundaries increasing batch sizes at which a range starts
   * @param runners one per range: {@code boundaries.length + 1}
   */
  BatchSizeRouter(long[] boundaries, List<ModelRunner> runners) {
    if (runners.size() != boundaries.length + 1) {
      throw new IllegalArgumentException(
          boundaries.length + " boundaries need " + (boundaries.length + 1) + " runners");
    }
    this.boundaries = boundaries.clone();
    this.runners = List.copyOf(runners);
  }

  @Override
  public List<Tensor> run(Batch batch) throws Exception {
    return runners.get(rangeOf(batch.size())).run(batch);
  }

  /** The index of the range {@code rows} falls in. */
  int rangeOf(long rows) {
    int range = 0;
    while (range < boundaries.length && rows >= boundaries[range]) {
      range++;
    }
    return range;
  }

  @Override
  public void close() {
    for (ModelRunner runner : runners) {
      runner.close();
    }
  }
}
