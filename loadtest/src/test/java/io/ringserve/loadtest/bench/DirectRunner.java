package io.ringserve.loadtest.bench;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.testing.TestServers;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The engine alone: a model's runner called in a loop in-process, no gRPC and no queue, to give the
 * served figures their baseline at the same batch size.
 */
final class DirectRunner implements AutoCloseable {
  private final LoadedModel model;
  private final ModelRunner runner;

  /** Samples per second and the median time of one call. */
  record Figures(int batch, double samplesPerSecond, double medianCallMicros) {}

  DirectRunner(Path modelFile, inference.ModelConfigOuterClass.ModelConfig config)
      throws Exception {
    String file = modelFile.getFileName().toString();
    this.model =
        Backends.all(TestServers.pools()).stream()
            .filter(b -> b.defaultModelFilename().equals(file))
            .findFirst()
            .orElseThrow()
            .load(modelFile, config, BackendOptions.serverDefaults());
    this.runner = model.newRunner();
  }

  /** Runs {@code batch} rows of FP32 [784] per call for {@code seconds} after a warm-up. */
  Figures measureMlp(int batch, double seconds) throws Exception {
    float[] values = new float[batch * 784];
    SplittableRandom random = new SplittableRandom(batch);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    Tensor input = Tensor.of("INPUT0", DataType.FP32, new long[] {batch, 784}, data);
    Batch call = Batch.direct(batch, List.of(input), Set.of());
    long warmUntil = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      runner.run(call);
    }
    long[] times = new long[200_000];
    int calls = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now = start;
    while (now < end && calls < times.length) {
      long before = now;
      runner.run(call);
      now = System.nanoTime();
      times[calls++] = now - before;
    }
    long[] measured = Arrays.copyOf(times, calls);
    Arrays.sort(measured);
    double elapsed = (now - start) / 1e9;
    return new Figures(batch, calls * (double) batch / elapsed, measured[calls / 2] / 1e3);
  }

  @Override
  public void close() throws Exception {
    runner.close();
    model.close();
  }
}
