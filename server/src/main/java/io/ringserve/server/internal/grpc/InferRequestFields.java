package io.ringserve.server.internal.grpc;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.ringserve.batching.BatchDimension;
import java.nio.ByteBuffer;
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
 * @param raw one {@code raw_input_contents} entry per input, or none: each a read-only view of
 *     exactly that entry, positioned at 0, of which the decoder's tensor takes ownership
 */
record InferRequestFields(
    String modelName,
    String modelVersion,
    String id,
    Map<String, InferParameter> parameters,
    List<Input> inputs,
    List<Output> outputs,
    List<ByteBuffer> raw) {

  /**
   * One input's descriptor.
   *
   * @param contents its typed contents, or null when it has none
   */
  record Input(String name, String datatype, long[] shape, InferTensorContents contents)
      implements BatchDimension.Shaped {
    @Override
    public int rank() {
      return shape.length;
    }

    @Override
    public long dim(int index) {
      return shape[index];
    }
  }

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
        views(request.getRawInputContentsList()));
  }

  private static List<ByteBuffer> views(List<ByteString> raw) {
    if (raw.isEmpty()) {
      return List.of();
    }
    List<ByteBuffer> views = new ArrayList<>(raw.size());
    for (ByteString contents : raw) {
      // A ByteString's view starts where its bytes start in their array: slice it to 0.
      views.add(contents.asReadOnlyByteBuffer().slice());
    }
    return views;
  }
}
