package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A runner that blocks its first batch until released, then delegates every batch (the first one
 * included): tests hold the worker busy with it while they queue the requests of the next batch.
 */
final class HoldFirstRunner implements ModelRunner {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  private final ModelRunner delegate;
  private boolean first = true;

  HoldFirstRunner(ModelRunner delegate) {
    this.delegate = delegate;
  }

  /** Each input back as {@code OUT_<name>}. */
  static List<Tensor> echo(Batch batch) {
    List<Tensor> outputs = new ArrayList<>();
    for (Tensor input : batch.inputs()) {
      outputs.add(input.renamed("OUT_" + input.name()));
    }
    return outputs;
  }

  @Override
  public List<Tensor> run(Batch batch) throws Exception {
    if (first) {
      first = false;
      entered.countDown();
      assertTrue(release.await(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
    return delegate.run(batch);
  }

  void awaitEntered() throws InterruptedException {
    assertTrue(entered.await(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS));
  }
}
