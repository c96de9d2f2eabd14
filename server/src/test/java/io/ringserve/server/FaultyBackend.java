package io.ringserve.server;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test backend ({@code platform: "ringserve_test_faulty"}) whose models fail as their name says:
 * {@code hangs} never returns (until {@link #release}), {@code throws} throws, {@code misshaped}
 * returns an output with one row too many, {@code slow} echoes after {@link #SLOW_RUN_MILLIS} per
 * batch (a known capacity); any other name echoes INT32 {@code INPUT0 [-1, 4]} to {@code OUTPUT0}.
 */
final class FaultyBackend implements Backend {
  static final String PLATFORM = "ringserve_test_faulty";

  /** How long a batch of the {@code slow} model takes. */
  static final long SLOW_RUN_MILLIS = 20;

  private final CountDownLatch released = new CountDownLatch(1);

  /** Lets hung runs return, so that the server can stop. */
  void release() {
    released.countDown();
  }

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String name() {
    return "faulty";
  }

  @Override
  public String defaultModelFilename() {
    return "model.faulty";
  }

  /** The config.pbtxt of a faulty model named {@code name}. */
  static String config(String name) {
    return config(name, "");
  }

  /** The config.pbtxt of a faulty model named {@code name}, with {@code extra} appended. */
  static String config(String name, String extra) {
    return "name: \"" + name + "\"\nplatform: \"" + PLATFORM + "\"\nmax_batch_size: 8\n" + extra;
  }

  @Override
  public LoadedModel load(
      Path modelPath, inference.ModelConfigOuterClass.ModelConfig config, BackendOptions options) {
    List<TensorSpec> in = List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 4}));
    List<TensorSpec> out = List.of(new TensorSpec("OUTPUT0", DataType.INT32, new long[] {-1, 4}));
    String behaviour = config.getName();
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
        return batch -> run(behaviour, batch);
      }

      @Override
      public void close() {}
    };
  }

  private List<Tensor> run(String behaviour, Batch batch) throws InterruptedException {
    Tensor input = batch.input("INPUT0");
    switch (behaviour) {
      case "hangs" -> {
        released.await(60, TimeUnit.SECONDS);
        return List.of(input.renamed("OUTPUT0"));
      }
      case "slow" -> {
        Thread.sleep(SLOW_RUN_MILLIS);
        return List.of(input.renamed("OUTPUT0"));
      }
      case "throws" -> throw new IllegalStateException("the engine ran out of luck");
      case "misshaped" -> {
        long rows = batch.size() + 1;
        return List.of(
            Tensor.of(
                "OUTPUT0",
                DataType.INT32,
                new long[] {rows, 4},
                ByteBuffer.allocate((int) rows * 16)));
      }
      default -> {
        return List.of(input.renamed("OUTPUT0"));
      }
    }
  }
}
