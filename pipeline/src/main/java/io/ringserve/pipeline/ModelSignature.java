package io.ringserve.pipeline;

import inference.ModelConfigOuterClass.DataType;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a scoring run needs to know of a model: its inputs and outputs (per-record dims, without the
 * batch dimension) and how many records one request may carry. Read from the model's config, which
 * in-process and remote models (any KServe v2 server with Triton's ModelConfig extension) both
 * give.
 *
 * <p>Immutable.
 */
public record ModelSignature(
    String model, String version, int maxBatchSize, List<Spec> inputs, List<Spec> outputs) {

  /** One tensor of the model: name, datatype and per-record dims (-1 for a variable one). */
  public record Spec(String name, io.ringserve.wire.DataType dataType, long[] dims) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dataType, "dataType");
      dims = dims.clone();
    }

    /** Elements of one record's value, or -1 if a dimension is variable. */
    public long elementsPerRecord() {
      long n = 1;
      for (long d : dims) {
        if (d < 0) {
          return -1;
        }
        n *= d;
      }
      return n;
    }

    /** The dims as the config writes them. */
    public String dimsText() {
      return Arrays.toString(dims);
    }
  }

  public ModelSignature {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("model '" + model + "' has no inputs");
    }
  }

  /** Whether requests carry a batch dimension (Triton: {@code max_batch_size > 0}). */
  public boolean batches() {
    return maxBatchSize > 0;
  }

  /** The signature of a model's effective config. */
  public static ModelSignature of(ModelConfig config, String version) {
    List<Spec> in = new ArrayList<>();
    for (ModelInput i : config.getInputList()) {
      in.add(new Spec(i.getName(), dataType(i.getDataType()), dims(i.getDimsList())));
    }
    List<Spec> out = new ArrayList<>();
    for (ModelOutput o : config.getOutputList()) {
      out.add(new Spec(o.getName(), dataType(o.getDataType()), dims(o.getDimsList())));
    }
    return new ModelSignature(config.getName(), version, config.getMaxBatchSize(), in, out);
  }

  private static long[] dims(List<Long> dims) {
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  /** TYPE_FP32 to FP32; TYPE_STRING is BYTES on the wire, as in Triton. */
  static io.ringserve.wire.DataType dataType(DataType configType) {
    if (configType == DataType.TYPE_STRING) {
      return io.ringserve.wire.DataType.BYTES;
    }
    String name = configType.name();
    return io.ringserve.wire.DataType.fromWireName(name.substring("TYPE_".length()));
  }
}
