package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelSchedulers;
import io.ringserve.batching.TensorBytesBudget;
import io.ringserve.server.QueuedBytesLimits;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one version folder into a warm, serving {@link ServedModel}: picks the backend, loads the
 * model, completes the config from its signature, makes one runner per instance, runs the config's
 * warmup on each, and only then starts the scheduler.
 *
 * <p>Stateless and thread-safe; a load takes what the backend takes (seconds for a SavedModel). A
 * failed load frees whatever it had made.
 */
final class VersionLoader {
  private final List<Backend> backends;
  private final BackendOptions options;
  private final TensorBytesBudget serverBudget;
  private final long maxBytesPerModel;

  VersionLoader(List<Backend> backends, BackendOptions options, QueuedBytesLimits queuedBytes) {
    this.backends = List.copyOf(backends);
    this.options = options;
    this.serverBudget =
        new TensorBytesBudget("--max-queued-input-bytes", queuedBytes.maxBytes(), null);
    this.maxBytesPerModel = queuedBytes.maxBytesPerModel();
    if (this.backends.isEmpty()) {
      throw new IllegalArgumentException("backends must not be empty");
    }
  }

  /**
   * Loads {@code <modelDir>/<version>} with {@code fileConfig} (config.pbtxt or an override).
   *
   * @throws ModelLoadException saying what is wrong with the model, its config or its warmup
   */
  ServedModel load(String name, Path modelDir, long version, ModelConfig fileConfig)
      throws ModelLoadException {
    ConfigRanges.check(name, fileConfig);
    Path versionDir = modelDir.resolve(Long.toString(version));
    Backend backend = backendFor(name, fileConfig, versionDir);
    String fileName =
        fileConfig.getDefaultModelFilename().isEmpty()
            ? backend.defaultModelFilename()
            : fileConfig.getDefaultModelFilename();
    Path modelPath = ConfigRanges.modelFile(name, versionDir, fileName);
    if (!Files.exists(modelPath)) {
      throw new ModelLoadException(
          "model '" + name + "' version " + version + ": " + modelPath + " does not exist");
    }
    LoadedModel loaded = backend.load(modelPath, fileConfig, options);
    List<ModelRunner> runners = new ArrayList<>();
    try {
      ModelConfig config =
          ModelConfigs.complete(
              name,
              fileConfig,
              backend.platform(),
              backend.name(),
              loaded.inputs(),
              loaded.outputs());
      ConfigWarnings.log(config, version);
      BatchPolicy policy = ModelConfigs.batchPolicy(config);
      for (int i = 0; i < ModelConfigs.instanceCount(config); i++) {
        runners.add(loaded.newRunner());
      }
      ModelWarmup.run(config, modelDir, runners, loaded.warmupBoundaries());
      TensorBytesBudget budget =
          new TensorBytesBudget(
              "--max-queued-input-bytes-per-model", maxBytesPerModel, serverBudget);
      ModelScheduler scheduler =
          ModelSchedulers.start(name + ":" + version, policy, runners, budget);
      return new ServedModel(name, version, config, loaded, scheduler);
    } catch (ModelLoadException | RuntimeException | Error e) {
      // An Error too (a native library that fails to link, a warmup that overflows the stack):
      // the native memory already taken is freed before the failure goes up.
      runners.forEach(VersionLoader::closeQuietly);
      loaded.close();
      throw e;
    }
  }

  private static void closeQuietly(ModelRunner runner) {
    try {
      runner.close();
    } catch (Exception ignored) {
      // Already failing the load; the first error is the one worth reporting.
    }
  }

  private Backend backendFor(String name, ModelConfig config, Path versionDir)
      throws ModelLoadException {
    for (Backend backend : backends) {
      if (!config.getPlatform().isEmpty() && config.getPlatform().equals(backend.platform())) {
        return backend;
      }
      if (!config.getBackend().isEmpty() && config.getBackend().equals(backend.name())) {
        return backend;
      }
    }
    if (!config.getPlatform().isEmpty() || !config.getBackend().isEmpty()) {
      throw new ModelLoadException(
          "model '"
              + name
              + "' asks for platform '"
              + config.getPlatform()
              + "' backend '"
              + config.getBackend()
              + "', which this server does not have");
    }
    for (Backend backend : backends) {
      String fileName =
          config.getDefaultModelFilename().isEmpty()
              ? backend.defaultModelFilename()
              : config.getDefaultModelFilename();
      if (Files.exists(ConfigRanges.modelFile(name, versionDir, fileName))) {
        return backend;
      }
    }
    throw new ModelLoadException(
        "model '"
            + name
            + "': "
            + versionDir
            + " holds no model file this server can load ("
            + backends.stream().map(Backend::defaultModelFilename).toList()
            + ")");
  }
}
