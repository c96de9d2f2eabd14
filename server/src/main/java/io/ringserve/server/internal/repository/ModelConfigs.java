package io.ringserve.server.internal.repository;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelDynamicBatching;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
import inference.ModelConfigOuterClass.ModelOutput;
import inference.ModelConfigOuterClass.ModelQueuePolicy;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.QueuePolicy;
import io.ringserve.server.model.DataTypes;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Triton's {@code config.pbtxt}, completes it from the model's own signature, checks the two
 * agree, and derives the batching policy.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelConfigs {
  /** The file name of a model's config, as in Triton. */
  public static final String CONFIG_FILE = "config.pbtxt";

  /**
   * Triton's batch size for a model whose config does not say: when the signature's first
   * dimensions are all variable, the model is taken to batch up to this size, dynamically.
   */
  static final int AUTO_COMPLETE_MAX_BATCH_SIZE = 4;

  private ModelConfigs() {}

  /**
   * Parses {@code <modelDir>/config.pbtxt}, or returns an empty config if the file is absent.
   *
   * @throws ModelLoadException naming the file and the line at fault
   */
  public static ModelConfig read(Path modelDir) throws ModelLoadException {
    Path file = modelDir.resolve(CONFIG_FILE);
    ModelConfig.Builder config = ModelConfig.newBuilder();
    if (!Files.exists(file)) {
      return config.build();
    }
    try {
      TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), config);
    } catch (TextFormat.ParseException e) {
      throw new ModelLoadException("cannot parse " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return config.build();
  }

  /**
   * Fills what the config leaves out (name, platform, inputs and outputs, max batch size, instance
   * groups) from the model's signature and checks that what it does say agrees with it.
   *
   * @param signatureInputs the model's inputs with full shapes (-1 for variable dims)
   * @param signatureOutputs the model's outputs with full shapes
   * @throws ModelLoadException naming the tensor or setting that contradicts the model
   */
  public static ModelConfig complete(
      String modelName,
      ModelConfig config,
      String platform,
      String backend,
      List<TensorSpec> signatureInputs,
      List<TensorSpec> signatureOutputs)
      throws ModelLoadException {
    ModelConfig.Builder b = config.toBuilder();
    if (!b.getName().isEmpty() && !b.getName().equals(modelName)) {
      throw new ModelLoadException(
          "config name '" + b.getName() + "' does not match model directory '" + modelName + "'");
    }
    b.setName(modelName);
    if (b.getPlatform().isEmpty()) {
      b.setPlatform(platform);
    } else if (!b.getPlatform().equals(platform)) {
      throw new ModelLoadException(
          "model '" + modelName + "' has platform '" + b.getPlatform() + "', expected " + platform);
    }
    if (b.getBackend().isEmpty()) {
      b.setBackend(backend);
    }
    if (b.hasSequenceBatching() || b.hasEnsembleScheduling()) {
      throw new ModelLoadException(
          "model '" + modelName + "': sequence batching and ensembles are not supported yet");
    }
    boolean configHasTensors = b.getInputCount() > 0 || b.getOutputCount() > 0;
    if (!configHasTensors && b.getMaxBatchSize() == 0 && allBatchable(signatureInputs)) {
      b.setMaxBatchSize(AUTO_COMPLETE_MAX_BATCH_SIZE);
      if (!b.hasDynamicBatching()) {
        b.setDynamicBatching(ModelDynamicBatching.getDefaultInstance());
      }
    }
    int batchDims = b.getMaxBatchSize() > 0 ? 1 : 0;
    if (b.getInputCount() == 0) {
      for (TensorSpec spec : signatureInputs) {
        b.addInput(
            ModelInput.newBuilder()
                .setName(spec.name())
                .setDataType(DataTypes.toConfig(spec.dataType()))
                .addAllDims(dims(spec, batchDims)));
      }
    }
    if (b.getOutputCount() == 0) {
      for (TensorSpec spec : signatureOutputs) {
        b.addOutput(
            ModelOutput.newBuilder()
                .setName(spec.name())
                .setDataType(DataTypes.toConfig(spec.dataType()))
                .addAllDims(dims(spec, batchDims)));
      }
    }
    checkInputsAgree(modelName, b, signatureInputs, batchDims);
    checkOutputsAgree(modelName, b, signatureOutputs, batchDims);
    completeInstanceGroups(b);
    return b.build();
  }

  private static boolean allBatchable(List<TensorSpec> specs) {
    return !specs.isEmpty()
        && specs.stream().allMatch(s -> s.shape().length > 0 && s.shape()[0] == -1);
  }

  private static List<Long> dims(TensorSpec spec, int batchDims) {
    long[] shape = spec.shape();
    return Arrays.stream(shape, Math.min(batchDims, shape.length), shape.length).boxed().toList();
  }

  private static void checkInputsAgree(
      String model, ModelConfig.Builder b, List<TensorSpec> signature, int batchDims)
      throws ModelLoadException {
    Map<String, TensorSpec> byName = byName(signature);
    for (ModelInput input : b.getInputList()) {
      checkTensor(
          model,
          "input",
          input.getName(),
          input.getDataType(),
          input.getDimsList(),
          input.hasReshape(),
          byName,
          batchDims);
    }
    for (TensorSpec spec : signature) {
      boolean declared = b.getInputList().stream().anyMatch(i -> i.getName().equals(spec.name()));
      if (!declared) {
        throw new ModelLoadException(
            "model '"
                + model
                + "' has input '"
                + spec.name()
                + "' that config.pbtxt does not list");
      }
    }
  }

  private static void checkOutputsAgree(
      String model, ModelConfig.Builder b, List<TensorSpec> signature, int batchDims)
      throws ModelLoadException {
    Map<String, TensorSpec> byName = byName(signature);
    for (ModelOutput output : b.getOutputList()) {
      checkTensor(
          model,
          "output",
          output.getName(),
          output.getDataType(),
          output.getDimsList(),
          output.hasReshape(),
          byName,
          batchDims);
    }
  }

  private static void checkTensor(
      String model,
      String kind,
      String name,
      inference.ModelConfigOuterClass.DataType configType,
      List<Long> configDims,
      boolean reshaped,
      Map<String, TensorSpec> signature,
      int batchDims)
      throws ModelLoadException {
    TensorSpec spec = signature.get(name);
    if (spec == null) {
      throw new ModelLoadException(
          "config.pbtxt of model '"
              + model
              + "' lists "
              + kind
              + " '"
              + name
              + "' that the model does not have; the model has "
              + signature.keySet());
    }
    if (DataTypes.fromConfig(configType) != spec.dataType()) {
      throw new ModelLoadException(
          "config.pbtxt of model '"
              + model
              + "' gives "
              + kind
              + " '"
              + name
              + "' data_type "
              + configType
              + " but the model's is "
              + DataTypes.toConfig(spec.dataType()));
    }
    for (long dim : configDims) {
      if (dim < -1 || dim == 0) {
        throw new ModelLoadException(
            "config.pbtxt of model '"
                + model
                + "' gives "
                + kind
                + " '"
                + name
                + "' an invalid dimension "
                + dim
                + " (dims are positive, or -1 for variable)");
      }
    }
    if (reshaped) {
      return; // The model's own shape is the reshape target; the config's dims are the wire shape.
    }
    long[] full = spec.shape();
    if (full.length != configDims.size() + batchDims) {
      throw new ModelLoadException(
          "config.pbtxt of model '"
              + model
              + "' gives "
              + kind
              + " '"
              + name
              + "' dims "
              + configDims
              + (batchDims > 0 ? " (plus the batch dimension)" : "")
              + " but the model's shape is "
              + Arrays.toString(full));
    }
    for (int i = 0; i < configDims.size(); i++) {
      long modelDim = full[i + batchDims];
      long configDim = configDims.get(i);
      if (modelDim != -1 && configDim != modelDim) {
        throw new ModelLoadException(
            "config.pbtxt of model '"
                + model
                + "' gives "
                + kind
                + " '"
                + name
                + "' dims "
                + configDims
                + " but the model's shape is "
                + Arrays.toString(full));
      }
    }
  }

  private static Map<String, TensorSpec> byName(List<TensorSpec> specs) {
    Map<String, TensorSpec> map = new HashMap<>();
    for (TensorSpec spec : specs) {
      map.put(spec.name(), spec);
    }
    return map;
  }

  /** One CPU instance unless the config says otherwise; each group named, counted and kinded. */
  private static void completeInstanceGroups(ModelConfig.Builder b) {
    if (b.getInstanceGroupCount() == 0) {
      b.addInstanceGroup(ModelInstanceGroup.newBuilder());
    }
    for (int i = 0; i < b.getInstanceGroupCount(); i++) {
      ModelInstanceGroup.Builder group = b.getInstanceGroupBuilder(i);
      if (group.getName().isEmpty()) {
        group.setName(b.getName() + "_" + i);
      }
      if (group.getCount() < 1) {
        group.setCount(1);
      }
      if (group.getKind() == ModelInstanceGroup.Kind.KIND_AUTO) {
        group.setKind(ModelInstanceGroup.Kind.KIND_CPU);
      }
    }
  }

  /** The total number of instances over all instance groups. */
  public static int instanceCount(ModelConfig config) {
    return config.getInstanceGroupList().stream().mapToInt(ModelInstanceGroup::getCount).sum();
  }

  /**
   * The batching policy a completed config asks for.
   *
   * @throws ModelLoadException if the dynamic batching settings are inconsistent
   */
  public static BatchPolicy batchPolicy(ModelConfig config) throws ModelLoadException {
    BatchPolicy.Builder policy = BatchPolicy.builder().maxBatchSize(config.getMaxBatchSize());
    if (config.hasDynamicBatching() && config.getMaxBatchSize() > 0) {
      ModelDynamicBatching db = config.getDynamicBatching();
      policy
          .dynamicBatching(true)
          .preferredBatchSizes(db.getPreferredBatchSizeList().stream().mapToInt(i -> i).toArray())
          .maxQueueDelayMicros(db.getMaxQueueDelayMicroseconds())
          .preserveOrdering(db.getPreserveOrdering())
          .priorityLevels(Math.toIntExact(db.getPriorityLevels()))
          .defaultPriorityLevel(Math.toIntExact(db.getDefaultPriorityLevel()));
      if (db.hasDefaultQueuePolicy()) {
        policy.defaultQueuePolicy(queuePolicy(db.getDefaultQueuePolicy()));
      }
      for (Map.Entry<Long, ModelQueuePolicy> level : db.getPriorityQueuePolicyMap().entrySet()) {
        policy.priorityQueuePolicy(Math.toIntExact(level.getKey()), queuePolicy(level.getValue()));
      }
    }
    try {
      return policy.build();
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(
          "dynamic_batching of model '" + config.getName() + "' is invalid: " + e.getMessage(), e);
    }
  }

  private static QueuePolicy queuePolicy(ModelQueuePolicy p) {
    return new QueuePolicy(
        p.getMaxQueueSize(),
        p.getDefaultTimeoutMicroseconds(),
        p.getTimeoutAction() == ModelQueuePolicy.TimeoutAction.DELAY
            ? QueuePolicy.TimeoutAction.DELAY
            : QueuePolicy.TimeoutAction.REJECT,
        p.getAllowTimeoutOverride());
  }
}
