package io.ringserve.server.internal.repository;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelStatistics;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.TensorSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The admission gate that lets a retiring version finish every request it accepted. */
class ServedModelTest {
  private final AtomicBoolean schedulerStopped = new AtomicBoolean();
  private final AtomicBoolean modelClosed = new AtomicBoolean();
  private final AtomicBoolean runnerStuck = new AtomicBoolean();

  private final ServedModel served =
      new ServedModel(
          "m", 1, ModelConfig.getDefaultInstance(), new FakeModel(), new FakeScheduler());

  @Test
  void shouldCloseOnlyOnceEveryAdmittedRequestIsReleased() throws Exception {
    assertTrue(served.tryAcquire());
    CountDownLatch retired = new CountDownLatch(1);
    Thread retirer =
        new Thread(
            () -> {
              try {
                served.retire(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              retired.countDown();
            });
    retirer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!served.isRetiring()) {
      assertTrue(System.nanoTime() < deadline);
      Thread.onSpinWait();
    }

    assertFalse(served.tryAcquire(), "a retiring version admits no new request");
    assertFalse(retired.await(100, TimeUnit.MILLISECONDS), "retired with a request unanswered");
    assertFalse(schedulerStopped.get());

    served.release();
    assertTrue(retired.await(10, TimeUnit.SECONDS));
    assertTrue(schedulerStopped.get());
    assertTrue(modelClosed.get());
  }

  @Test
  void shouldRetireAtOnceWhenNothingIsAdmitted() throws Exception {
    assertTrue(served.tryAcquire());
    served.release();
    served.retire(Duration.ofSeconds(30));
    assertTrue(schedulerStopped.get());
    assertTrue(modelClosed.get());
  }

  @Test
  void shouldNotFreeTheModelUnderARunnerThatIsStillRunning() throws Exception {
    runnerStuck.set(true);
    served.retire(Duration.ofSeconds(30));
    assertTrue(schedulerStopped.get());
    assertFalse(modelClosed.get(), "the model was freed while a runner still ran");
  }

  private final class FakeModel implements LoadedModel {
    @Override
    public List<TensorSpec> inputs() {
      return List.of();
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of();
    }

    @Override
    public ModelRunner newRunner() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      modelClosed.set(true);
    }
  }

  private final class FakeScheduler implements ModelScheduler {
    @Override
    public void submit(InferenceRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BatchPolicy policy() {
      return BatchPolicy.builder().build();
    }

    @Override
    public ModelStatistics statistics() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int pendingRequests() {
      return 0;
    }

    @Override
    public void shutdown(Duration grace) {
      schedulerStopped.set(true);
    }

    @Override
    public boolean isTerminated() {
      return !runnerStuck.get();
    }
  }
}
