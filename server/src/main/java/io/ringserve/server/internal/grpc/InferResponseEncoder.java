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
 *
 * <p>The output descriptors (name, datatype, shape) repeat from one response to the next, so each
 * thread keeps the descriptors it built last and reuses one whose contents match: a protobuf
 * message is immutable, and a reused one also keeps its computed serialized size. Without this, a
 * descriptor's builder, its shape list and its message were the largest part of a small response's
 * allocation.
 */
final class InferResponseEncoder {
  /**
   * Descriptors kept per thread; a power of two. A model with more outputs than this still works.
   */
  private static final int RECENT_DESCRIPTORS = 16;

  private static final ThreadLocal<InferOutputTensor[]> RECENT =
      ThreadLocal.withInitial(() -> new InferOutputTensor[RECENT_DESCRIPTORS]);

  private InferResponseEncoder() {}

  static ModelInferResponse encode(
      String modelName, String modelVersion, String requestId, List<Tensor> outputs) {
    ModelInferResponse.Builder response =
        ModelInferResponse.newBuilder()
            .setModelName(modelName)
            .setModelVersion(modelVersion)
            .setId(requestId);
    InferOutputTensor[] recent = RECENT.get();
    for (int i = 0; i < outputs.size(); i++) {
      Tensor output = outputs.get(i);
      response.addOutputs(descriptor(recent, output));
      response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(output.data()));
    }
    return response.build();
  }

  private static InferOutputTensor descriptor(InferOutputTensor[] recent, Tensor output) {
    int hash = output.name().hashCode();
    for (int d = 0; d < output.rank(); d++) {
      hash = 31 * hash + Long.hashCode(output.dim(d));
    }
    int slot = (hash ^ (hash >>> 16)) & (recent.length - 1);
    InferOutputTensor cached = recent[slot];
    if (cached != null && describes(cached, output)) {
      return cached;
    }
    InferOutputTensor.Builder built =
        InferOutputTensor.newBuilder()
            .setName(output.name())
            .setDatatype(output.dataType().wireName());
    for (int d = 0; d < output.rank(); d++) {
      built.addShape(output.dim(d));
    }
    InferOutputTensor descriptor = built.build();
    recent[slot] = descriptor;
    return descriptor;
  }

  private static boolean describes(InferOutputTensor descriptor, Tensor output) {
    if (descriptor.getShapeCount() != output.rank()
        || !descriptor.getName().equals(output.name())
        || !descriptor.getDatatype().equals(output.dataType().wireName())) {
      return false;
    }
    for (int d = 0; d < output.rank(); d++) {
      if (descriptor.getShape(d) != output.dim(d)) {
        return false;
      }
    }
    return true;
  }
}
