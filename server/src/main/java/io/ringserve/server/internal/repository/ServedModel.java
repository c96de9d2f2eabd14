package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelOutput;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.backend.LoadedModel;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One model version that is loaded and serving: its effective config, its scheduler, and its inputs
 * and outputs indexed by name for request validation.
 *
 * <p>Immutable and thread-safe (the scheduler is thread-safe).
 */
public final class ServedModel {
  private final String name;
  private final long version;
  private final ModelConfig config;
  private final LoadedModel loaded;
  private final ModelScheduler scheduler;
  private final Map<String, ModelInput> inputs;
  private final Map<String, ModelOutput> outputs;

  ServedModel(
      String name, long version, ModelConfig config, LoadedModel loaded, ModelScheduler scheduler) {
    this.name = Objects.requireNonNull(name, "name");
    this.version = version;
    this.config = Objects.requireNonNull(config, "config");
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    Map<String, ModelInput> inputsByName = new LinkedHashMap<>();
    config.getInputList().forEach(i -> inputsByName.put(i.getName(), i));
    Map<String, ModelOutput> outputsByName = new LinkedHashMap<>();
    config.getOutputList().forEach(o -> outputsByName.put(o.getName(), o));
    // Read-only views made once: request validation walks the inputs on every request.
    this.inputs = Collections.unmodifiableMap(inputsByName);
    this.outputs = Collections.unmodifiableMap(outputsByName);
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  /** The version as the protocol writes it. */
  public String versionString() {
    return Long.toString(version);
  }

  /** The effective config: config.pbtxt completed from the model's signature. */
  public ModelConfig config() {
    return config;
  }

  /** The scheduler that batches and runs this version's requests. */
  public ModelScheduler scheduler() {
    return scheduler;
  }

  /** The config's input of that name, or {@code null}. */
  public ModelInput input(String inputName) {
    return inputs.get(inputName);
  }

  /** The config's inputs by name, in config order. */
  public Map<String, ModelInput> inputs() {
    return inputs;
  }

  /** The config's output of that name, or {@code null}. */
  public ModelOutput output(String outputName) {
    return outputs.get(outputName);
  }

  /** Stops the scheduler (letting queued work finish within {@code grace}) and frees the model. */
  void close(Duration grace) {
    try {
      scheduler.shutdown(grace);
    } finally {
      loaded.close();
    }
  }
}
