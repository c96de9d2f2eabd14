package io.ringserve.server.grpc;

import static io.ringserve.server.grpc.TypedContents.invalid;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import inference.ModelConfigOuterClass.ModelInput;
import io.ringserve.batching.DataType;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.Tensor;
import io.ringserve.server.model.DataTypes;
import io.ringserve.server.repository.ServedModel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@code ModelInferRequest} against the model's config and turns it into input tensors.
 * Raw contents are wrapped, not copied; typed contents are encoded to the raw layout.
 *
 * <p>Every check fails with {@link InferenceException.Reason#INVALID_INPUT} and a message that
 * names the tensor and the problem, in Triton's wording where Triton has one. Stateless.
 */
final class InferRequestDecoder {
  /** Request parameter Triton reads as the request's priority level. */
  static final String PRIORITY = "priority";

  /** Request parameter Triton reads as the request's queue timeout in microseconds. */
  static final String TIMEOUT = "timeout";

  private InferRequestDecoder() {}

  /** A request's inputs, outputs and scheduling parameters, checked. */
  record Decoded(
      List<Tensor> inputs, List<String> requestedOutputs, int priority, long timeoutMicros) {}

  static Decoded decode(ServedModel model, ModelInferRequest request) {
    String name = model.name();
    int rawCount = request.getRawInputContentsCount();
    if (rawCount > 0 && rawCount != request.getInputsCount()) {
      throw invalid(
          "expected "
              + request.getInputsCount()
              + " raw input contents (one per input) but got "
              + rawCount
              + " for model '"
              + name
              + "'");
    }
    boolean batching = model.config().getMaxBatchSize() > 0;
    long batchSize = -1;
    Set<String> seen = new HashSet<>();
    List<Tensor> inputs = new ArrayList<>(request.getInputsCount());
    for (int i = 0; i < request.getInputsCount(); i++) {
      InferInputTensor input = request.getInputs(i);
      String tensor = input.getName();
      if (!seen.add(tensor)) {
        throw invalid("input '" + tensor + "' already exists in request for model '" + name + "'");
      }
      ModelInput config = model.input(tensor);
      if (config == null) {
        throw invalid(
            "unexpected inference input '"
                + tensor
                + "' for model '"
                + name
                + "'; the model's inputs are "
                + model.inputs().keySet());
      }
      DataType type = DataType.fromWireName(input.getDatatype());
      DataType expected = DataTypes.fromConfig(config.getDataType());
      if (type != expected) {
        throw invalid(
            "inference input '"
                + tensor
                + "' data-type is '"
                + input.getDatatype()
                + "', but model '"
                + name
                + "' expects '"
                + expected.wireName()
                + "'");
      }
      long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
      long elements = elementCount(name, tensor, shape);
      if (batching) {
        batchSize = checkBatchDim(model, tensor, shape, batchSize);
      }
      checkShape(model, config, tensor, shape, batching);
      ByteBuffer data;
      if (rawCount > 0) {
        if (input.hasContents()) {
          throw invalid(
              "contents field must not be specified when using raw_input_contents for '"
                  + tensor
                  + "' for model '"
                  + name
                  + "'");
        }
        ByteString raw = request.getRawInputContents(i);
        checkRawSize(name, tensor, type, elements, raw);
        data = raw.asReadOnlyByteBuffer();
      } else {
        data = TypedContents.toRaw(name, tensor, type, elements, input.getContents());
      }
      try {
        inputs.add(Tensor.of(tensor, type, shape, data));
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage() + " for model '" + name + "'");
      }
    }
    checkNoneMissing(model, seen, request.getInputsCount());
    return new Decoded(
        inputs,
        requestedOutputs(model, request.getOutputsList()),
        priority(name, request.getParametersMap()),
        timeoutMicros(name, request.getParametersMap()));
  }

  private static long elementCount(String model, String tensor, long[] shape) {
    try {
      return Tensor.elementCount(tensor, shape);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage() + " for model '" + model + "'");
    }
  }

  private static long checkBatchDim(
      ServedModel model, String tensor, long[] shape, long batchSize) {
    if (shape.length == 0) {
      throw invalid(
          "input '"
              + tensor
              + "' has no shape but model requires batch dimension for '"
              + model.name()
              + "'");
    }
    long batch = shape[0];
    if (batchSize >= 0 && batch != batchSize) {
      throw invalid(
          "input '"
              + tensor
              + "' batch size does not match other inputs for '"
              + model.name()
              + "'");
    }
    int max = model.config().getMaxBatchSize();
    if (batch > max) {
      throw invalid(
          "inference request batch-size must be <= "
              + max
              + " for '"
              + model.name()
              + "' (input '"
              + tensor
              + "' has batch size "
              + batch
              + ")");
    }
    if (batch < 1) {
      throw invalid(
          "inference request batch-size must be >= 1 for '"
              + model.name()
              + "' (input '"
              + tensor
              + "' has batch size "
              + batch
              + ")");
    }
    return batch;
  }

  private static void checkShape(
      ServedModel model, ModelInput config, String tensor, long[] shape, boolean batching) {
    List<Long> dims = config.getDimsList();
    int offset = batching ? 1 : 0;
    boolean matches = shape.length == dims.size() + offset;
    for (int i = 0; matches && i < dims.size(); i++) {
      long want = dims.get(i);
      matches = want == -1 || want == shape[i + offset];
    }
    if (!matches) {
      List<Long> expected = new ArrayList<>();
      if (batching) {
        expected.add(-1L);
      }
      expected.addAll(dims);
      throw invalid(
          "unexpected shape for input '"
              + tensor
              + "' for model '"
              + model.name()
              + "'. Expected "
              + expected.toString().replace(" ", "")
              + ", got "
              + Arrays.toString(shape).replace(" ", ""));
    }
  }

  private static void checkRawSize(
      String model, String tensor, DataType type, long elements, ByteString raw) {
    if (!type.isFixedSize()) {
      return; // BYTES elements vary in size; Tensor.of walks their length prefixes.
    }
    // elements fits a long, but elements * size may not: compare without overflowing.
    if (elements > raw.size() || elements * type.byteSize() != raw.size()) {
      String expected =
          elements > Long.MAX_VALUE / type.byteSize()
              ? elements + " x " + type.byteSize()
              : Long.toString(elements * type.byteSize());
      throw invalid(
          "input byte size mismatch for input '"
              + tensor
              + "' for model '"
              + model
              + "'. Expected "
              + expected
              + ", got "
              + raw.size());
    }
  }

  private static void checkNoneMissing(ServedModel model, Set<String> given, int count) {
    List<String> missing = new ArrayList<>();
    for (ModelInput input : model.inputs().values()) {
      if (!input.getOptional() && !given.contains(input.getName())) {
        missing.add(input.getName());
      }
    }
    if (!missing.isEmpty()) {
      throw invalid(
          "expected "
              + model.inputs().size()
              + " inputs but got "
              + count
              + " inputs for model '"
              + model.name()
              + "': missing input"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing.stream().map(m -> "'" + m + "'").toList()));
    }
  }

  private static List<String> requestedOutputs(
      ServedModel model, List<InferRequestedOutputTensor> outputs) {
    if (outputs.isEmpty()) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (InferRequestedOutputTensor output : outputs) {
      if (model.output(output.getName()) == null) {
        throw invalid(
            "unexpected inference output '"
                + output.getName()
                + "' for model '"
                + model.name()
                + "'");
      }
      names.add(output.getName());
    }
    return List.copyOf(names);
  }

  private static int priority(String model, Map<String, InferParameter> parameters) {
    InferParameter p = parameters.get(PRIORITY);
    if (p == null) {
      return 0;
    }
    long value = integerParameter(model, PRIORITY, p);
    if (value < 0 || value > Integer.MAX_VALUE) {
      throw invalid("parameter 'priority' for model '" + model + "' is out of range: " + value);
    }
    return (int) value;
  }

  private static long timeoutMicros(String model, Map<String, InferParameter> parameters) {
    InferParameter p = parameters.get(TIMEOUT);
    if (p == null) {
      return 0;
    }
    long value = integerParameter(model, TIMEOUT, p);
    if (value < 0) {
      throw invalid("parameter 'timeout' for model '" + model + "' must not be negative: " + value);
    }
    return value;
  }

  private static long integerParameter(String model, String key, InferParameter p) {
    return switch (p.getParameterChoiceCase()) {
      case INT64_PARAM -> p.getInt64Param();
      case UINT64_PARAM -> p.getUint64Param();
      default ->
          throw invalid(
              "parameter '"
                  + key
                  + "' for model '"
                  + model
                  + "' must be an int64 or uint64, got "
                  + p.getParameterChoiceCase());
    };
  }
}
