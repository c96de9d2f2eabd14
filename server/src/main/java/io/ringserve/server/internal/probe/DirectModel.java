package io.ringserve.server.internal.probe;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.internal.repository.ModelConfigs;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One model of a repository loaded the way the server loads it (its {@code config.pbtxt}, the
 * backend it names or whose file its latest version holds, the server's engine options) but called
 * directly: no transport, no batcher, one runner. What the engine alone costs, for the comparison
 * that subtracts it from the server's cost.
 *
 * <p>Inputs are synthetic and fixed per batch size: small finite numbers (random bits would hit
 * NaNs and denormals, which change the engine's speed). Not thread-safe: one caller, as a model
 * instance's worker.
 */
public final class DirectModel implements AutoCloseable {
  private final String name;
  private final LoadedModel loaded;
  private final ModelRunner runner;
  private long preparedSize;
  private List<Tensor> preparedInputs = List.of();

  private DirectModel(String name, LoadedModel loaded, ModelRunner runner) {
    this.name = name;
    this.loaded = loaded;
    this.runner = runner;
  }

  /**
   * Loads the latest version of {@code repository/name}.
   *
   * @throws ModelLoadException if the model is missing, has no numeric version, or fails to load
   */
  public static DirectModel load(
      Path repository, String name, List<Backend> backends, BackendOptions options)
      throws ModelLoadException {
    Path modelDir = repository.resolve(name);
    if (!Files.isDirectory(modelDir)) {
      throw new ModelLoadException("no model '" + name + "' in " + repository);
    }
    ModelConfig config = ModelConfigs.read(modelDir);
    Path versionDir = modelDir.resolve(Long.toString(latestVersion(modelDir)));
    Backend backend = backendFor(config, versionDir, backends);
    String fileName =
        config.getDefaultModelFilename().isEmpty()
            ? backend.defaultModelFilename()
            : config.getDefaultModelFilename();
    LoadedModel loaded = backend.load(versionDir.resolve(fileName), config, options);
    try {
      return new DirectModel(name, loaded, loaded.newRunner());
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  /** The server's default version policy serves the highest numbered version. */
  private static long latestVersion(Path modelDir) throws ModelLoadException {
    try (Stream<Path> entries = Files.list(modelDir)) {
      return entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(s -> s.matches("[0-9]{1,18}"))
          .mapToLong(Long::parseLong)
          .max()
          .orElseThrow(
              () -> new ModelLoadException("model folder " + modelDir + " has no version"));
    } catch (IOException e) {
      throw new ModelLoadException("cannot list " + modelDir + ": " + e.getMessage(), e);
    }
  }

  /** As the repository picks: the platform or backend the config names, else the file present. */
  private static Backend backendFor(ModelConfig config, Path versionDir, List<Backend> backends)
      throws ModelLoadException {
    for (Backend b : backends) {
      if (config.getPlatform().equals(b.platform()) || config.getBackend().equals(b.name())) {
        return b;
      }
    }
    for (Backend b : backends) {
      String file =
          config.getDefaultModelFilename().isEmpty()
              ? b.defaultModelFilename()
              : config.getDefaultModelFilename();
      if (Files.exists(versionDir.resolve(file))) {
        return b;
      }
    }
    throw new ModelLoadException(versionDir + " holds no model file this server can load");
  }

  /**
   * Runs one batch of {@code size} rows through the engine.
   *
   * @throws IllegalArgumentException if the model has an input of BYTES, or does not batch and
   *     {@code size} is not 1
   * @throws Exception what the runner throws
   */
  public void run(long size) throws Exception {
    if (size != preparedSize) {
      preparedInputs = inputs(size);
      preparedSize = size;
    }
    runner.run(Batch.direct(size, preparedInputs, Set.of()));
  }

  private List<Tensor> inputs(long size) {
    List<Tensor> inputs = new ArrayList<>();
    for (TensorSpec spec : loaded.inputs()) {
      long[] shape = spec.shape();
      if (shape.length == 0 || shape[0] != -1) {
        if (size != 1) {
          throw new IllegalArgumentException(
              "model '" + name + "' does not batch: only batch size 1 can run, not " + size);
        }
      } else {
        shape[0] = size;
      }
      for (int i = 1; i < shape.length; i++) {
        // A variable inner dimension: the smallest real input.
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      inputs.add(Tensor.of(spec.name(), spec.dataType(), shape, fill(spec, shape)));
    }
    return inputs;
  }

  private ByteBuffer fill(TensorSpec spec, long[] shape) {
    DataType type = spec.dataType();
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException(
          "model '" + name + "' has a " + type + " input (" + spec.name() + "): not supported");
    }
    long elements = Tensor.elementCount(spec.name(), shape);
    ByteBuffer b =
        ByteBuffer.allocate(Math.toIntExact(elements * type.byteSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < elements; i++) {
      int small = (int) (i % 7);
      switch (type) {
        case FP32 -> b.putFloat(small * 0.25f);
        case FP64 -> b.putDouble(small * 0.25);
        case BOOL -> b.put((byte) (small & 1));
        // Half floats: the bits of 0.0 and of small positive normals, as shorts.
        case FP16, BF16 -> b.putShort((short) (small == 0 ? 0 : 0x3C00));
        default -> putInteger(b, type.byteSize(), small);
      }
    }
    return b.flip();
  }

  private static void putInteger(ByteBuffer b, int bytes, int value) {
    switch (bytes) {
      case 1 -> b.put((byte) value);
      case 2 -> b.putShort((short) value);
      case 4 -> b.putInt(value);
      default -> b.putLong(value);
    }
  }

  @Override
  public void close() {
    runner.close();
    loaded.close();
  }
}
