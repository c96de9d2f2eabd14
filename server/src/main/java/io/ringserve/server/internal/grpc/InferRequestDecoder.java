package io.ringserve.server.internal.grpc;

import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.ModelConfigOuterClass.ModelInput;
import io.grpc.Status;
import io.ringserve.batching.BatchDimension;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.Tensor;
import io.ringserve.proto.ProtoContents;
import io.ringserve.server.internal.repository.ServedModel;
import io.ringserve.server.model.DataTypes;
import io.ringserve.wire.DataType;
import io.ringserve.wire.TypedContents;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@code ModelInferRequest}'s fields ({@link InferRequestFields}) against the model's
 * config and turns it into input tensors. Raw contents are wrapped, not copied; typed contents are
 * encoded to the raw layout by the wire module.
 *
 * <p>This is the one place that validates a request. The checks run in Triton's order, so that a
 * request with several faults gets the error Triton would give first: request parameters; then, per
 * input, a duplicated name and typed contents next to raw ones (Triton's gRPC handler); then the
 * raw contents count; then, as Triton's request normalization does, requested outputs, unknown and
 * missing inputs, the batch dimension ({@link BatchDimension}, shared with the scheduler's guard),
 * each input's datatype and shape, and last its data. Only the shape's own sanity (no negative
 * dimension, no overflow) is checked before the batch dimension, because the batch rule reads
 * dimensions that must be sane.
 *
 * <p>Every check fails with {@link InferenceException.Reason#INVALID_INPUT} and a message that
 * names the tensor and the problem, in Triton's wording where Triton has one. Stateless.
 */
final class InferRequestDecoder {
  /** Request parameter Triton reads as the request's priority level. */
  static final String PRIORITY = "priority";

  /** Request parameter Triton reads as the request's queue timeout in microseconds. */
  static final String TIMEOUT = "timeout";

  /** Requested-output parameter of Triton's classification extension: the top-k count. */
  static final String CLASSIFICATION = "classification";

  /** Up to this many inputs, duplicates are found by comparing names pairwise. */
  private static final int PAIRWISE_LIMIT = 16;

  private InferRequestDecoder() {}

  /** A request's inputs, outputs and scheduling parameters, checked. */
  record Decoded(
      List<Tensor> inputs, List<String> requestedOutputs, int priority, long timeoutMicros) {}

  static Decoded decode(ServedModel model, InferRequestFields request, long maxBytesElements) {
    String name = model.name();
    int priority = priority(name, request.parameters());
    long timeoutMicros = timeoutMicros(name, request.parameters());
    int rawCount = request.raw().size();
    List<InferRequestFields.Input> given = request.inputs();
    int repeated = firstRepeated(given);
    for (int i = 0; i < given.size(); i++) {
      InferRequestFields.Input input = given.get(i);
      if (i == repeated) {
        throw invalid(
            "input '" + input.name() + "' already exists in request for model '" + name + "'");
      }
      if (rawCount > 0 && input.contents() != null) {
        throw invalid(
            "contents field must not be specified when using raw_input_contents for '"
                + input.name()
                + "' for model '"
                + name
                + "'");
      }
    }
    if (rawCount > 0 && rawCount != given.size()) {
      throw invalid(
          "expected "
              + given.size()
              + " raw input contents (one per input) but got "
              + rawCount
              + " for model '"
              + name
              + "'");
    }
    List<String> requestedOutputs = requestedOutputs(model, request.outputs());
    boolean batching = model.config().getMaxBatchSize() > 0;
    DataType[] types = new DataType[given.size()];
    for (int i = 0; i < given.size(); i++) {
      InferRequestFields.Input input = given.get(i);
      String tensor = input.name();
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
      DataType type = DataType.lookup(input.datatype()).orElse(null);
      DataType expected = DataTypes.fromConfig(config.getDataType());
      if (type != expected) {
        throw invalid(
            "inference input '"
                + tensor
                + "' data-type is '"
                + input.datatype()
                + "', but model '"
                + name
                + "' expects '"
                + expected.wireName()
                + "'");
      }
      long[] dims = input.shape();
      elementCount(name, tensor, dims);
      if (batching) {
        // The inputs seen so far: an input is held to the batch rule before its own shape check.
        String problem =
            BatchDimension.problem(
                name,
                model.config().getMaxBatchSize(),
                i == given.size() - 1 ? given : given.subList(0, i + 1));
        if (problem != null) {
          throw invalid(problem);
        }
      }
      checkShape(model, config, tensor, dims, batching);
      types[i] = type;
    }
    checkNoneMissing(model, given);
    Tensor[] inputs = new Tensor[given.size()];
    long bytesElements = 0;
    for (int i = 0; i < given.size(); i++) {
      InferRequestFields.Input input = given.get(i);
      String tensor = input.name();
      DataType type = types[i];
      long[] shape = input.shape();
      long elements = elementCount(name, tensor, shape);
      if (!type.isFixedSize()) {
        // Raw BYTES count as one field on the wire, but each element becomes an object (or an
        // engine string) of its own: as many as the shape says, however few bytes they take.
        bytesElements += elements;
        if (bytesElements > maxBytesElements) {
          throw Status.RESOURCE_EXHAUSTED
              .withDescription(
                  "request for model '"
                      + name
                      + "' has more than "
                      + maxBytesElements
                      + " BYTES elements (--grpc-max-request-elements)")
              .asRuntimeException();
        }
      }
      try {
        if (rawCount > 0) {
          ByteBuffer raw = request.raw().get(i);
          checkRawSize(name, tensor, type, elements, raw.remaining());
          // The request's fields are never written again: the tensor keeps its shape and view.
          inputs[i] = Tensor.ofOwned(tensor, type, shape, raw);
        } else {
          ByteBuffer data = typedToRaw(name, tensor, type, elements, input.contents());
          inputs[i] = Tensor.of(tensor, type, shape, data);
        }
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage() + " for model '" + name + "'");
      }
    }
    return new Decoded(List.of(inputs), requestedOutputs, priority, timeoutMicros);
  }

  private static ByteBuffer typedToRaw(
      String model, String tensor, DataType type, long elements, InferTensorContents contents) {
    if (!TypedContents.hasTypedField(type)) {
      throw invalid(
          "input '"
              + tensor
              + "' for model '"
              + model
              + "' has datatype "
              + type
              + ", which has no typed contents field: send it in raw_input_contents");
    }
    try {
      return TypedContents.toRaw(type, ProtoContents.view(contents), elements);
    } catch (IllegalArgumentException e) {
      throw invalid(
          "unexpected number of elements for input '"
              + tensor
              + "' for model '"
              + model
              + "': "
              + e.getMessage());
    }
  }

  private static long elementCount(String model, String tensor, long[] shape) {
    try {
      return Tensor.elementCount(tensor, shape);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage() + " for model '" + model + "'");
    }
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
      String model, String tensor, DataType type, long elements, int rawSize) {
    if (!type.isFixedSize()) {
      return; // BYTES elements vary in size; Tensor.of walks their length prefixes.
    }
    // elements fits a long, but elements * size may not: compare without overflowing.
    if (elements > rawSize || elements * type.byteSize() != rawSize) {
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
              + rawSize);
    }
  }

  /**
   * The index of the first input whose name an earlier input already has, or -1. Pairwise for the
   * handful of inputs a request holds (a set would cost a table per request); a set past {@link
   * #PAIRWISE_LIMIT} inputs, so that a hostile request with many inputs stays linear.
   */
  private static int firstRepeated(List<InferRequestFields.Input> inputs) {
    if (inputs.size() > PAIRWISE_LIMIT) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < inputs.size(); i++) {
        if (!seen.add(inputs.get(i).name())) {
          return i;
        }
      }
      return -1;
    }
    for (int i = 1; i < inputs.size(); i++) {
      String name = inputs.get(i).name();
      for (int j = 0; j < i; j++) {
        if (inputs.get(j).name().equals(name)) {
          return i;
        }
      }
    }
    return -1;
  }

  private static void checkNoneMissing(ServedModel model, List<InferRequestFields.Input> given) {
    // Every given input is known and none repeats (checked before), so as many inputs as the
    // model has means none is missing; only a shorter request needs the search.
    if (given.size() == model.inputs().size()) {
      return;
    }
    int count = given.size();
    Set<String> names = new HashSet<>();
    for (InferRequestFields.Input input : given) {
      names.add(input.name());
    }
    List<String> missing = new ArrayList<>();
    for (ModelInput input : model.inputs().values()) {
      if (!input.getOptional() && !names.contains(input.getName())) {
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
      ServedModel model, List<InferRequestFields.Output> outputs) {
    if (outputs.isEmpty()) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (InferRequestFields.Output output : outputs) {
      if (model.output(output.name()) == null) {
        throw invalid(
            "unexpected inference output '" + output.name() + "' for model '" + model.name() + "'");
      }
      if (output.classification()) {
        // Answering the whole tensor where the client asked for its top classes would be read as
        // a wrong answer.
        throw Status.UNIMPLEMENTED
            .withDescription(
                "output '"
                    + output.name()
                    + "' asks for classification, which is not supported; request the output"
                    + " itself and take its top classes in the client")
            .asRuntimeException();
      }
      names.add(output.name());
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

  private static InferenceException invalid(String message) {
    return new InferenceException(Reason.INVALID_INPUT, message);
  }
}
