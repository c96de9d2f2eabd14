package io.ringserve.server.internal.grpc;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields of a {@code ModelInferRequest} that {@link InferRequestDecoder} reads, and nothing
 * else. gRPC's {@code ModelInfer} reads them straight from the wire ({@link InferRequestWire}); the
 * streaming method and the REST front end take them from the message ({@link #of}). The raw
 * contents view the bytes they were read from. Immutable by convention: nobody writes a shape array
 * or a raw content's bytes after the request is made.
 *
 * @param parameters the request's parameters (priority and timeout are read from them)
 * @param raw one {@code raw_input_contents} entry per input, or none
 */
record InferRequestFields(
    String modelName,
    String modelVersion,
    String id,
    Map<String, InferParameter> parameters,
    List<Input> inputs,
    List<Output> outputs,
    List<ByteString> raw) {

  /**
   * One input's descriptor.
   *
   * @param contents its typed contents, or null when it has none
   */
  record Input(String name, String datatype, long[] shape, InferTensorContents contents) {}

  /**
   * One requested output.
   *
   * @param classification whether it asks for Triton's classification extension (top-k classes)
   */
  record Output(String name, boolean classification) {}

  /** The fields of {@code request}. */
  static InferRequestFields of(ModelInferRequest request) {
    List<Input> inputs = new ArrayList<>(request.getInputsCount());
    for (InferInputTensor input : request.getInputsList()) {
      long[] shape = new long[input.getShapeCount()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = input.getShape(d);
      }
      inputs.add(
          new Input(
              input.getName(),
              input.getDatatype(),
              shape,
              input.hasContents() ? input.getContents() : null));
    }
    List<Output> outputs = new ArrayList<>(request.getOutputsCount());
    for (InferRequestedOutputTensor output : request.getOutputsList()) {
      outputs.add(
          new Output(
              output.getName(), output.containsParameters(InferRequestDecoder.CLASSIFICATION)));
    }
    return new InferRequestFields(
        request.getModelName(),
        request.getModelVersion(),
        request.getId(),
        request.getParametersMap(),
        inputs,
        outputs,
        request.getRawInputContentsList());
  }
}
