package io.ringserve.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.UnsafeByteOperations;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.ModelConfigOuterClass.ModelInput;
import io.grpc.StatusRuntimeException;
import io.ringserve.batching.Tensor;
import io.ringserve.server.internal.repository.ServedModel;
import io.ringserve.server.model.DataTypes;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a KServe v2 REST inference request into the {@code ModelInferRequest} the gRPC path takes,
 * so that both front ends share one validation path ({@code InferRequestDecoder}) and one scheduler
 * seam. Every input ends up in {@code raw_input_contents}: binary inputs (the binary tensor data
 * extension) are wrapped where they lie in the body, without a copy or a per-element conversion;
 * JSON {@code data} is encoded once to the same raw layout. Checks here are only those of the HTTP
 * framing (Triton's HTTP handler makes the same ones before its core sees the request); the model
 * checks stay in the decoder.
 *
 * <p>Stateless and thread-safe; called on an event-loop thread for small bodies and on {@link
 * BodyParsers}' pool for large ones; costs one JSON parse of the header.
 */
final class InferRequestReader {
  /** Request parameter of the binary extension: return every output as binary data. */
  static final String BINARY_DATA_OUTPUT = "binary_data_output";

  /** Input and output parameter of the binary extension: the tensor's size in the body. */
  static final String BINARY_DATA_SIZE = "binary_data_size";

  /** Requested-output parameter of the binary extension: return this output as binary data. */
  static final String BINARY_DATA = "binary_data";

  /** For writing JSON; request bodies are read through a {@link RequestJson}. */
  static final ObjectMapper JSON = new ObjectMapper();

  private InferRequestReader() {}

  /** The request for the scheduler, and how the answer is to be written. */
  record Read(ModelInferRequest request, OutputFormat format) {}

  /**
   * Reads one request body.
   *
   * @param json reads the body's JSON within the server's bound on its values
   * @param body the whole (decompressed) body
   * @param headerLength {@code Inference-Header-Content-Length}, or -1 when absent (all JSON); 0
   *     means a raw binary request whose body is the model's single input
   * @param model resolves the addressed model; asked only for a raw binary request
   */
  static Read read(
      RequestJson json,
      String modelName,
      String modelVersion,
      byte[] body,
      long headerLength,
      Supplier<ServedModel> model) {
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder().setModelName(modelName).setModelVersion(modelVersion);
    if (headerLength == 0) {
      return raw(request, body, model.get());
    }
    int jsonLength = headerLength < 0 ? body.length : (int) headerLength;
    if (headerLength > body.length) {
      throw HttpStatuses.invalid(
          "Inference-Header-Content-Length of "
              + headerLength
              + " is larger than the request body of "
              + body.length
              + " bytes");
    }
    JsonNode root = json.read(body, 0, jsonLength);
    if (root == null || !root.isObject()) {
      throw HttpStatuses.invalid("failed to parse the request JSON buffer: expected an object");
    }
    JsonNode id = root.get("id");
    if (id != null) {
      if (!id.isTextual()) {
        throw HttpStatuses.invalid("Unable to parse 'id': expected a string");
      }
      request.setId(id.textValue());
    }
    boolean binaryOutputs = false;
    JsonNode parameters = root.get("parameters");
    if (parameters != null) {
      for (Map.Entry<String, JsonNode> p : fields(parameters, "parameters")) {
        if (p.getKey().equals(BINARY_DATA_OUTPUT)) {
          binaryOutputs = bool(p.getValue(), BINARY_DATA_OUTPUT);
        } else {
          request.putParameters(p.getKey(), parameter(p.getKey(), p.getValue()));
        }
      }
    }
    int offset = jsonLength;
    JsonNode inputs = root.get("inputs");
    if (inputs == null || !inputs.isArray()) {
      throw HttpStatuses.invalid("Unable to parse 'inputs': expected an array of inputs");
    }
    for (JsonNode input : inputs) {
      offset = input(request, input, body, offset);
    }
    if (offset != body.length) {
      throw HttpStatuses.invalid(
          "unexpected additional input data for model '"
              + modelName
              + "': "
              + (body.length - offset)
              + " bytes after the last binary input");
    }
    Map<String, Boolean> perOutput = new HashMap<>();
    JsonNode outputs = root.get("outputs");
    if (outputs != null) {
      if (!outputs.isArray()) {
        throw HttpStatuses.invalid("Unable to parse 'outputs': expected an array of outputs");
      }
      for (JsonNode output : outputs) {
        String name = text(output, "name", "output");
        ModelInferRequest.InferRequestedOutputTensor.Builder requested =
            request.addOutputsBuilder().setName(name);
        JsonNode outputParameters = output.get("parameters");
        if (outputParameters != null) {
          for (Map.Entry<String, JsonNode> p : fields(outputParameters, "parameters")) {
            if (p.getKey().equals(BINARY_DATA)) {
              perOutput.put(name, bool(p.getValue(), BINARY_DATA));
            } else {
              requested.putParameters(p.getKey(), parameter(p.getKey(), p.getValue()));
            }
          }
        }
      }
    }
    return new Read(request.build(), new OutputFormat(binaryOutputs, perOutput));
  }

  private static int input(
      ModelInferRequest.Builder request, JsonNode input, byte[] body, int offset) {
    String name = text(input, "name", "input");
    String datatype = text(input, "datatype", "input '" + name + "'");
    JsonNode shapeNode = input.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw HttpStatuses.invalid("Unable to parse 'shape' of input '" + name + "'");
    }
    InferInputTensor.Builder tensor =
        request.addInputsBuilder().setName(name).setDatatype(datatype);
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong()) {
        throw HttpStatuses.invalid("Unable to parse 'shape' of input '" + name + "'");
      }
      shape[i] = d.longValue();
      tensor.addShape(shape[i]);
    }
    long binarySize = -1;
    JsonNode parameters = input.get("parameters");
    if (parameters != null) {
      for (Map.Entry<String, JsonNode> p : fields(parameters, "parameters")) {
        if (p.getKey().equals(BINARY_DATA_SIZE)) {
          JsonNode size = p.getValue();
          if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            throw HttpStatuses.invalid(
                "Unable to parse 'binary_data_size' of input '" + name + "'");
          }
          binarySize = size.longValue();
        } else {
          tensor.putParameters(p.getKey(), parameter(p.getKey(), p.getValue()));
        }
      }
    }
    JsonNode data = input.get("data");
    if ((data != null) == (binarySize >= 0)) {
      throw HttpStatuses.invalid(
          "Input must set only one of the following fields: 'data', 'binary_data_size' in"
              + " 'parameters'. But"
              + (data == null ? " no field is set" : " set 'data' 'binary_data_size'")
              + " for input '"
              + name
              + "'");
    }
    if (binarySize >= 0) {
      if (binarySize > body.length - offset) {
        throw HttpStatuses.invalid(
            "unexpected size for input '"
                + name
                + "', expecting "
                + binarySize
                + " bytes but only "
                + (body.length - offset)
                + " remain in the request body");
      }
      request.addRawInputContents(UnsafeByteOperations.unsafeWrap(body, offset, (int) binarySize));
      return offset + (int) binarySize;
    }
    DataType type =
        DataType.lookup(datatype)
            .orElseThrow(() -> HttpStatuses.invalid("invalid datatype for input " + name));
    long elements;
    try {
      elements = Tensor.elementCount(name, shape);
    } catch (IllegalArgumentException e) {
      throw HttpStatuses.invalid(e.getMessage() + " for model '" + request.getModelName() + "'");
    }
    ByteBuffer raw = JsonTensors.toRaw(name, type, elements, data);
    request.addRawInputContents(UnsafeByteOperations.unsafeWrap(raw));
    return offset;
  }

  /** The body is the model's only input, its shape read from the config (batch of one). */
  private static Read raw(ModelInferRequest.Builder request, byte[] body, ServedModel model) {
    if (model.inputs().size() != 1) {
      throw HttpStatuses.invalid(
          "Raw request must only have 1 input (found "
              + model.inputs().size()
              + ") to be deduced but model '"
              + model.name()
              + "' has inputs "
              + model.inputs().keySet());
    }
    ModelInput config = model.inputs().values().iterator().next();
    DataType type = DataTypes.fromConfig(config.getDataType());
    ByteBuffer data = ByteBuffer.wrap(body);
    InferInputTensor.Builder tensor =
        request.addInputsBuilder().setName(config.getName()).setDatatype(type.wireName());
    if (model.config().getMaxBatchSize() > 0) {
      tensor.addShape(1);
    }
    long known = 1;
    int variable = -1;
    for (int i = 0; i < config.getDimsCount(); i++) {
      long d = config.getDims(i);
      if (d < 0) {
        variable = i;
      } else {
        known *= d;
      }
    }
    for (int i = 0; i < config.getDimsCount(); i++) {
      long d = config.getDims(i);
      if (i == variable) {
        long elements =
            type.isFixedSize() ? body.length / type.byteSize() : count(config.getName(), data);
        d = known == 0 ? 0 : elements / known;
      }
      tensor.addShape(d);
    }
    request.addRawInputContents(UnsafeByteOperations.unsafeWrap(body));
    return new Read(request.build(), new OutputFormat(true, Map.of()));
  }

  private static long count(String name, ByteBuffer data) {
    try {
      return BytesFraming.count(name, data);
    } catch (IllegalArgumentException e) {
      throw HttpStatuses.invalid(e.getMessage());
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node, String what) {
    if (!node.isObject()) {
      throw HttpStatuses.invalid("Unable to parse '" + what + "': expected an object");
    }
    return node.properties();
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw HttpStatuses.invalid("Unable to parse '" + field + "' of " + where);
    }
    return value.textValue();
  }

  private static boolean bool(JsonNode value, String name) {
    if (!value.isBoolean()) {
      throw HttpStatuses.invalid("Unable to parse '" + name + "': expected true or false");
    }
    return value.booleanValue();
  }

  /** A JSON parameter as Triton takes it: an integer, a boolean or a string. */
  static InferParameter parameter(String key, JsonNode value) {
    InferParameter.Builder p = InferParameter.newBuilder();
    if (value.isBoolean()) {
      return p.setBoolParam(value.booleanValue()).build();
    }
    if (value.isTextual()) {
      return p.setStringParam(value.textValue()).build();
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return p.setInt64Param(value.longValue()).build();
    }
    if (value.isBigInteger()
        && value.bigIntegerValue().signum() > 0
        && value.bigIntegerValue().bitLength() <= 64) {
      return p.setUint64Param(value.bigIntegerValue().longValue()).build();
    }
    throw invalidParameter(key);
  }

  private static StatusRuntimeException invalidParameter(String key) {
    return HttpStatuses.invalid(
        "parameter '"
            + key
            + "' has invalid type. It should be either 'int', 'bool', or 'string'.");
  }
}
