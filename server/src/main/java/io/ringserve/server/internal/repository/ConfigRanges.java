package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelDynamicBatching;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
import inference.ModelConfigOuterClass.ModelQueuePolicy;
import inference.ModelConfigOuterClass.ModelWarmup;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The ranges of what a model's config may ask for, checked before anything is loaded: a {@code
 * config.pbtxt} (or a load request's config) is input from whoever writes the repository, and a
 * number that sizes threads, arrays or timers must not be able to exhaust the server or overflow.
 * Each refusal names the field, its range and the value. Stateless.
 */
final class ConfigRanges {
  /** Far above any real model's batch; bounds the batcher's per-size bookkeeping. */
  static final int MAX_BATCH_SIZE = 1 << 20;

  /** Instances of one model: each is a thread and an engine session. */
  static final int MAX_INSTANCES = 256;

  /** Priority levels: each is a queue. */
  static final long MAX_PRIORITY_LEVELS = 1024;

  /** One hour, in microseconds: longer delays and timeouts are mistakes, and overflow as nanos. */
  static final long MAX_MICROS = 3_600_000_000L;

  /** Warm-up runs of one sample: each runs the model once per instance before it is ready. */
  static final long MAX_WARMUP_RUNS = 1000;

  /** Elements of one warm-up input (64M: 256 MiB of FP32), built in memory before the runs. */
  static final long MAX_WARMUP_ELEMENTS = 1L << 26;

  private ConfigRanges() {}

  /**
   * Checks {@code config}'s numbers and its model file's name.
   *
   * @throws ModelLoadException naming the first field out of range
   */
  static void check(String model, ModelConfig config) throws ModelLoadException {
    within(model, "max_batch_size", config.getMaxBatchSize(), 0, MAX_BATCH_SIZE);
    long instances = 0;
    for (ModelInstanceGroup group : config.getInstanceGroupList()) {
      within(model, "instance_group count", group.getCount(), 0, MAX_INSTANCES);
      instances += Math.max(1, group.getCount());
    }
    within(model, "the instance_group counts together", instances, 0, MAX_INSTANCES);
    for (ModelWarmup warmup : config.getModelWarmupList()) {
      warmup(model, warmup);
    }
    if (config.hasDynamicBatching()) {
      ModelDynamicBatching db = config.getDynamicBatching();
      for (int size : db.getPreferredBatchSizeList()) {
        within(model, "dynamic_batching preferred_batch_size", size, 1, MAX_BATCH_SIZE);
      }
      withinUnsigned(
          model,
          "dynamic_batching max_queue_delay_microseconds",
          db.getMaxQueueDelayMicroseconds(),
          0,
          MAX_MICROS);
      withinUnsigned(
          model,
          "dynamic_batching priority_levels",
          db.getPriorityLevels(),
          0,
          MAX_PRIORITY_LEVELS);
      withinUnsigned(
          model,
          "dynamic_batching default_priority_level",
          db.getDefaultPriorityLevel(),
          0,
          MAX_PRIORITY_LEVELS);
      if (db.hasDefaultQueuePolicy()) {
        queuePolicy(model, "dynamic_batching default_queue_policy", db.getDefaultQueuePolicy());
      }
      for (var level : db.getPriorityQueuePolicyMap().entrySet()) {
        withinUnsigned(
            model,
            "dynamic_batching priority_queue_policy level",
            level.getKey(),
            1,
            MAX_PRIORITY_LEVELS);
        queuePolicy(model, "dynamic_batching priority_queue_policy", level.getValue());
      }
    }
  }

  /**
   * The model file {@code fileName} names inside {@code versionDir}.
   *
   * @throws ModelLoadException if the name is absolute or leads out of the version folder (without
   *     saying whether such a file exists)
   */
  static Path modelFile(String model, Path versionDir, String fileName) throws ModelLoadException {
    Path name;
    try {
      name = Path.of(fileName);
    } catch (InvalidPathException e) {
      name = null; // a NUL or the like: no file of this name can exist
    }
    boolean parent = false;
    for (int i = 0; name != null && i < name.getNameCount(); i++) {
      parent |= name.getName(i).toString().equals("..");
    }
    if (name == null
        || name.isAbsolute()
        || parent
        || !versionDir.resolve(name).normalize().startsWith(versionDir.normalize())) {
      throw new ModelLoadException(
          "model '"
              + model
              + "': default_model_filename must name a file inside the version folder, got '"
              + fileName
              + "'");
    }
    return versionDir.resolve(name).normalize();
  }

  private static void warmup(String model, ModelWarmup warmup) throws ModelLoadException {
    within(
        model, "model_warmup count", Integer.toUnsignedLong(warmup.getCount()), 0, MAX_WARMUP_RUNS);
    long batch = Integer.toUnsignedLong(warmup.getBatchSize());
    within(model, "model_warmup batch_size", batch, 0, MAX_BATCH_SIZE);
    for (var input : warmup.getInputsMap().entrySet()) {
      long elements = Math.max(1, batch);
      for (long d : input.getValue().getDimsList()) {
        within(
            model, "model_warmup input '" + input.getKey() + "' dims", d, 0, MAX_WARMUP_ELEMENTS);
        elements = Math.multiplyHigh(elements, d) != 0 ? Long.MAX_VALUE : elements * d;
      }
      within(
          model,
          "model_warmup input '" + input.getKey() + "' elements (batch_size x dims)",
          elements,
          0,
          MAX_WARMUP_ELEMENTS);
    }
  }

  private static void queuePolicy(String model, String field, ModelQueuePolicy policy)
      throws ModelLoadException {
    withinUnsigned(
        model,
        field + " default_timeout_microseconds",
        policy.getDefaultTimeoutMicroseconds(),
        0,
        MAX_MICROS);
    within(
        model,
        field + " max_queue_size",
        Integer.toUnsignedLong(policy.getMaxQueueSize()),
        0,
        Integer.MAX_VALUE);
  }

  private static void within(String model, String field, long value, long min, long max)
      throws ModelLoadException {
    if (value < min || value > max) {
      throw outOfRange(model, field, min, max, Long.toString(value));
    }
  }

  /** As {@link #within} for a {@code uint64} field, whose values past 2^63 read negative here. */
  private static void withinUnsigned(String model, String field, long value, long min, long max)
      throws ModelLoadException {
    if (Long.compareUnsigned(value, min) < 0 || Long.compareUnsigned(value, max) > 0) {
      throw outOfRange(model, field, min, max, Long.toUnsignedString(value));
    }
  }

  private static ModelLoadException outOfRange(
      String model, String field, long min, long max, String value) {
    return new ModelLoadException(
        "model '"
            + model
            + "': "
            + field
            + " must be between "
            + min
            + " and "
            + max
            + ", got "
            + value);
  }
}
