package io.ringserve.server;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend ({@code platform: "ringserve_test_add"}) whose model adds the integer written in
 * its model file to INT32 {@code INPUT0 [-1, 4]}, giving {@code OUTPUT0}: versions with different
 * files answer differently, so a test can tell which one served. Loads in microseconds and counts
 * its loads, closes and runs.
 */
final class AddBackend implements Backend {
  static final String PLATFORM = "ringserve_test_add";

  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  final AtomicInteger runs = new AtomicInteger();

  /** Microseconds each run takes, so that requests are in flight during a swap. */
  volatile long runMicros;

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String name() {
    return "add";
  }

  @Override
  public String defaultModelFilename() {
    return "model.add";
  }

  /** The config.pbtxt of an add model named {@code name}. */
  static String config(String name, String extra) {
    return "name: \""
        + name
        + "\"\nplatform: \""
        + PLATFORM
        + "\"\nmax_batch_size: 8\n"
        + "dynamic_batching { }\n"
        + extra;
  }

  /** Writes version {@code version} of model {@code name}, adding {@code addend}. */
  static void writeVersion(Path repository, String name, long version, int addend)
      throws IOException {
    Path dir = repository.resolve(name).resolve(Long.toString(version));
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("model.add"), Integer.toString(addend));
  }

  @Override
  public LoadedModel load(Path modelPath, ModelConfig config, BackendOptions options)
      throws ModelLoadException {
    int addend;
    try {
      addend = Integer.parseInt(Files.readString(modelPath).trim());
    } catch (IOException | NumberFormatException e) {
      throw new ModelLoadException("cannot read the addend in " + modelPath, e);
    }
    loads.incrementAndGet();
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
        return batch -> run(batch, addend);
      }

      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
  }

  private List<Tensor> run(Batch batch, int addend) throws InterruptedException {
    runs.incrementAndGet();
    long micros = runMicros;
    if (micros > 0) {
      Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    }
    Tensor input = batch.input("INPUT0");
    ByteBuffer in = input.data();
    ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < in.remaining() / 4; i++) {
      out.putInt(i * 4, in.getInt(i * 4) + addend);
    }
    return List.of(Tensor.of("OUTPUT0", DataType.INT32, input.shape(), out));
  }
}
