package io.ringserve.server;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A test backend ({@code platform: "ringserve_test_gated"}) whose model echoes INT32 {@code INPUT0
 * [-1, 4]} to {@code OUTPUT0} and whose runs wait for the test to open a gate, so that tests can
 * hold a batch "running" while requests queue behind it.
 */
final class GatedBackend implements Backend {
  static final String PLATFORM = "ringserve_test_gated";

  /** Permits for runs; each run takes one. */
  final Semaphore gate = new Semaphore(0);

  /** Counted down each time a run starts (waiting at the gate). */
  volatile CountDownLatch runStarted = new CountDownLatch(1);

  /** First INPUT0 value of every row that ran, in order. */
  final ConcurrentLinkedQueue<Integer> rowsRun = new ConcurrentLinkedQueue<>();

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String name() {
    return "gated";
  }

  @Override
  public String defaultModelFilename() {
    return "model.gated";
  }

  /** The config.pbtxt of a gated model named {@code name}. */
  static String config(String name, String extra) {
    return "name: \"" + name + "\"\nplatform: \"" + PLATFORM + "\"\nmax_batch_size: 8\n" + extra;
  }

  @Override
  public LoadedModel load(
      Path modelPath, inference.ModelConfigOuterClass.ModelConfig config, BackendOptions options) {
    List<TensorSpec> in = List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 4}));
    List<TensorSpec> out = List.of(new TensorSpec("OUTPUT0", DataType.INT32, new long[] {-1, 4}));
    return new LoadedModel() {
      @Override
      public List<TensorSpec> inputs() {
        return in;
      }

      @Override
      public List<TensorSpec> outputs() {
        return out;
      }

      @Override
      public ModelRunner newRunner() {
        return GatedBackend.this::run;
      }

      @Override
      public void close() {}
    };
  }

  private List<Tensor> run(Batch batch) throws InterruptedException {
    runStarted.countDown();
    if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never opened the gate");
    }
    Tensor input = batch.input("INPUT0");
    java.nio.ByteBuffer data = input.data();
    for (long row = 0; row < batch.size(); row++) {
      rowsRun.add(data.getInt((int) (row * 16)));
    }
    return List.of(input.renamed("OUTPUT0"));
  }
}
