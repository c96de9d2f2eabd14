package io.ringserve.server.internal.repository;

import com.google.protobuf.Descriptors.FieldDescriptor;
import inference.ModelConfigOuterClass.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Names the {@code config.pbtxt} fields a model sets that RingServe does not honour, so that none
 * is ignored silently: a user who set {@code response_cache} or an execution accelerator expects it
 * to do something, and must at least be told it does not.
 *
 * <p>Stateless; walks the config's set fields once per load (microseconds).
 */
final class ConfigWarnings {
  /** Top-level fields RingServe acts on (or refuses with an error, never ignores). */
  private static final Set<String> HONOURED =
      Set.of(
          "name",
          "platform",
          "backend",
          "version_policy",
          "max_batch_size",
          "input",
          "output",
          "instance_group",
          "default_model_filename",
          "parameters",
          "model_warmup",
          "dynamic_batching",
          "sequence_batching",
          "ensemble_scheduling",
          "optimization");

  /** The one {@code optimization} field a backend honours: ONNX Runtime's graph level. */
  private static final String ONNX_GRAPH_OPTIMIZATION = "graph";

  private static final String ONNX_BACKEND = "onnxruntime";

  private ConfigWarnings() {}

  /** The dotted names of the fields {@code config} sets that this server does not honour. */
  static List<String> unhonoured(ModelConfig config) {
    List<String> fields = new ArrayList<>();
    for (FieldDescriptor field : config.getAllFields().keySet()) {
      if (!HONOURED.contains(field.getName())) {
        fields.add(field.getName());
      }
    }
    if (config.hasOptimization()) {
      boolean onnx = ONNX_BACKEND.equals(config.getBackend());
      for (FieldDescriptor field : config.getOptimization().getAllFields().keySet()) {
        if (!(onnx && field.getName().equals(ONNX_GRAPH_OPTIMIZATION))) {
          fields.add("optimization." + field.getName());
        }
      }
    }
    return fields;
  }

  /** Logs one WARNING per unhonoured field of a completed config. */
  static void log(ModelConfig config, long version) {
    for (String field : unhonoured(config)) {
      System.getLogger(ConfigWarnings.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "model ''{0}'' version {1}: config field ''{2}'' is not supported by RingServe and"
                  + " is ignored",
              config.getName(),
              version,
              field);
    }
  }
}
