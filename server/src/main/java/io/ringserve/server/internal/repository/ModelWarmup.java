package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.DataTypes;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a config's {@code model_warmup} samples through each instance before the version takes
 * traffic, in Triton's format: per sample a {@code batch_size}, inputs made of zeros, random values
 * or a raw file under {@code <model>/warmup/}, run {@code count} times (once if 0).
 *
 * <p>The samples go to the runners directly, not through the scheduler, so they are not counted in
 * the model's statistics. Engines do their slow first-call work here (TensorFlow's graph
 * optimisation and oneDNN weight layouts), so no request pays for it. Runs on the loader thread;
 * costs what the samples cost to run.
 *
 * <p>Beyond Triton: a model whose first-run work starts over per batch-size range ({@link
 * LoadedModel#warmupBoundaries()}, TensorFlow's split sessions) gets the first sample run again at
 * the smallest batch size of every range no sample falls in. A Triton config usually warms batch
 * size 1 only; without this, the first batch of a larger range that the dynamic batcher forms under
 * load would pay the whole first run (about a second for {@code mlp}), and every request in that
 * batch and queued behind it with it. Other batch sizes of a warmed range cost about a millisecond
 * on their first run (docs/PERFORMANCE.md), so they are not warmed one by one.
 */
final class ModelWarmup {
  private static final System.Logger LOG = System.getLogger(ModelWarmup.class.getName());

  private ModelWarmup() {}

  /**
   * Runs every sample on every runner, then the first sample at each batch-size range of {@code
   * boundaries} that no sample covered.
   *
   * @param boundaries the loaded model's {@link LoadedModel#warmupBoundaries()}
   * @throws ModelLoadException naming the sample and what failed, as Triton fails the load
   */
  static void run(ModelConfig config, Path modelDir, List<ModelRunner> runners, long[] boundaries)
      throws ModelLoadException {
    List<ModelConfigOuterClass.ModelWarmup> samples = config.getModelWarmupList();
    for (ModelConfigOuterClass.ModelWarmup sample : samples) {
      runSample(config, modelDir, runners, sample);
    }
    List<Long> extraSizes = uncoveredRangeStarts(config, boundaries);
    if (extraSizes.isEmpty()) {
      return;
    }
    LOG.log(
        System.Logger.Level.INFO,
        "model ''{0}'': warmup sample ''{1}'' also runs at batch size(s) {2}, so that every"
            + " batch-size range of the model is warm",
        config.getName(),
        samples.get(0).getName(),
        extraSizes);
    for (long size : extraSizes) {
      runSample(
          config,
          modelDir,
          runners,
          samples.get(0).toBuilder().setBatchSize(Math.toIntExact(size)).build());
    }
  }

  /**
   * The smallest batch size of each range of {@code boundaries} that no sample's batch size falls
   * in; empty for a model without samples or without batching (there is nothing to run, or only one
   * size).
   */
  static List<Long> uncoveredRangeStarts(ModelConfig config, long[] boundaries) {
    if (config.getModelWarmupCount() == 0 || config.getMaxBatchSize() <= 0) {
      return List.of();
    }
    List<Long> uncovered = new ArrayList<>();
    for (int range = 0; range <= boundaries.length; range++) {
      long low = range == 0 ? 1 : boundaries[range - 1];
      long high = range == boundaries.length ? Long.MAX_VALUE : boundaries[range];
      if (low > config.getMaxBatchSize()) {
        break;
      }
      boolean covered = false;
      for (ModelConfigOuterClass.ModelWarmup sample : config.getModelWarmupList()) {
        long size = Math.max(1, sample.getBatchSize());
        covered |= size >= low && size < high;
      }
      if (!covered) {
        uncovered.add(low);
      }
    }
    return uncovered;
  }

  private static void runSample(
      ModelConfig config,
      Path modelDir,
      List<ModelRunner> runners,
      ModelConfigOuterClass.ModelWarmup sample)
      throws ModelLoadException {
    Batch batch = batchOf(config, modelDir, sample);
    int count = Math.max(1, sample.getCount());
    for (ModelRunner runner : runners) {
      for (int i = 0; i < count; i++) {
        try {
          runner.run(batch);
        } catch (Exception e) {
          throw new ModelLoadException(
              "warmup sample '"
                  + sample.getName()
                  + "' at batch size "
                  + batch.size()
                  + " failed: "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  /** The batch one sample describes. */
  static Batch batchOf(ModelConfig config, Path modelDir, ModelConfigOuterClass.ModelWarmup sample)
      throws ModelLoadException {
    boolean batching = config.getMaxBatchSize() > 0;
    long batchSize = batching ? Math.max(1, sample.getBatchSize()) : 1;
    if (batching && batchSize > config.getMaxBatchSize()) {
      throw new ModelLoadException(
          "warmup sample '"
              + sample.getName()
              + "' has batch_size "
              + batchSize
              + ", over max_batch_size "
              + config.getMaxBatchSize());
    }
    List<Tensor> inputs = new ArrayList<>();
    for (Map.Entry<String, ModelConfigOuterClass.ModelWarmup.Input> e :
        sample.getInputsMap().entrySet()) {
      ModelConfigOuterClass.ModelWarmup.Input input = e.getValue();
      DataType type = DataTypes.fromConfig(input.getDataType());
      List<Long> dims = input.getDimsList();
      long[] shape = new long[dims.size() + (batching ? 1 : 0)];
      int d = 0;
      if (batching) {
        shape[d++] = batchSize;
      }
      for (long dim : dims) {
        if (dim < 0) {
          throw new ModelLoadException(
              "warmup sample '"
                  + sample.getName()
                  + "' input '"
                  + e.getKey()
                  + "' has a variable dimension; warmup dims must be fixed");
        }
        shape[d++] = dim;
      }
      long elements = Tensor.elementCount(e.getKey(), shape);
      ByteBuffer data = data(sample.getName(), e.getKey(), input, type, elements, modelDir);
      inputs.add(Tensor.of(e.getKey(), type, shape, data));
    }
    return Batch.direct(batchSize, inputs, Set.of());
  }

  private static ByteBuffer data(
      String sampleName,
      String inputName,
      ModelConfigOuterClass.ModelWarmup.Input input,
      DataType type,
      long elements,
      Path modelDir)
      throws ModelLoadException {
    // BYTES elements are framed with a 4-byte length: all-zero bytes are empty strings.
    int elementSize = type.isFixedSize() ? type.byteSize() : 4;
    int size = Math.toIntExact(elements * elementSize);
    ByteBuffer data = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    switch (input.getInputDataTypeCase()) {
      case INPUT_DATA_FILE -> {
        Path file = modelDir.resolve("warmup").resolve(input.getInputDataFile()).normalize();
        if (!file.startsWith(modelDir.resolve("warmup").normalize())) {
          throw new ModelLoadException(
              "warmup sample '" + sampleName + "': input_data_file leaves the warmup folder");
        }
        try {
          byte[] bytes = Files.readAllBytes(file);
          if (type.isFixedSize() && bytes.length != size) {
            throw new ModelLoadException(
                "warmup sample '"
                    + sampleName
                    + "' input '"
                    + inputName
                    + "': "
                    + file
                    + " holds "
                    + bytes.length
                    + " bytes, expected "
                    + size);
          }
          return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
          throw new ModelLoadException(
              "warmup sample '" + sampleName + "': cannot read " + file + ": " + e.getMessage(), e);
        }
      }
      case RANDOM_DATA -> fillRandom(data, type, elements);
      default -> {
        // zero_data, or nothing said: zeros, as allocated.
      }
    }
    data.rewind();
    return data;
  }

  private static void fillRandom(ByteBuffer data, DataType type, long elements) {
    // Fixed seed: a warmup that fails should fail the same way on the next try.
    SplittableRandom random = new SplittableRandom(42);
    switch (type) {
      case FP32 -> {
        for (long i = 0; i < elements; i++) {
          data.putFloat((float) random.nextDouble());
        }
      }
      case FP64 -> {
        for (long i = 0; i < elements; i++) {
          data.putDouble(random.nextDouble());
        }
      }
      case BYTES -> {
        // Random contents of the framing would be invalid; empty strings are the safe sample.
      }
      default -> {
        byte[] bytes = new byte[data.capacity()];
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = (byte) random.nextInt(4);
        }
        data.put(bytes);
      }
    }
  }
}
