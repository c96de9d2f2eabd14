package io.ringserve.server.internal.grpc;

import com.google.protobuf.UnsafeByteOperations;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Builds the {@code ModelInferResponse} of a finished request: one output descriptor and one {@code
 * raw_output_contents} entry per output, as Triton answers. The output bytes are wrapped, not
 * copied: the batching core hands each request read-only slices that nobody writes again.
 */
final class InferResponseEncoder {
  private InferResponseEncoder() {}

  static ModelInferResponse encode(
      String modelName, String modelVersion, String requestId, List<Tensor> outputs) {
    ModelInferResponse.Builder response =
        ModelInferResponse.newBuilder()
            .setModelName(modelName)
            .setModelVersion(modelVersion)
            .setId(requestId);
    for (Tensor output : outputs) {
      InferOutputTensor.Builder descriptor =
          response
              .addOutputsBuilder()
              .setName(output.name())
              .setDatatype(output.dataType().wireName());
      for (int d = 0; d < output.rank(); d++) {
        descriptor.addShape(output.dim(d));
      }
      response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(output.data()));
    }
    return response.build();
  }
}
