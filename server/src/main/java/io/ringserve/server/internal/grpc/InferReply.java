package io.ringserve.server.internal.grpc;

import inference.GrpcService.ModelInferResponse;
import io.ringserve.batching.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * A finished inference's answer, before it is encoded: the model, version and request id it
 * answers, and one output tensor per output. The gRPC {@code ModelInfer} method writes it straight
 * to protobuf's wire format ({@link InferReplyMarshaller}) without building a {@code
 * ModelInferResponse}; the REST front end and the streaming method, which need the message, take
 * {@link #toProto()}.
 *
 * <p>Its encoded size is computed when it is made, so that an answer too large to encode fails
 * where the caller can still be told, not inside gRPC's send. Immutable; the output tensors' data
 * are read-only slices that nobody writes again.
 */
public final class InferReply {
  private final String modelName;
  private final String modelVersion;
  private final String id;
  private final List<Tensor> outputs;
  private final int serializedSize;

  /**
   * @throws IllegalArgumentException if the encoded response would pass protobuf's 2 GiB limit
   */
  public InferReply(String modelName, String modelVersion, String id, List<Tensor> outputs) {
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
    this.id = Objects.requireNonNull(id, "id");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
    this.serializedSize = InferReplyWire.size(modelName, modelVersion, id, outputs);
  }

  public String modelName() {
    return modelName;
  }

  public String modelVersion() {
    return modelVersion;
  }

  public String id() {
    return id;
  }

  /** The outputs in the order they are answered. */
  public List<Tensor> outputs() {
    return outputs;
  }

  /** The size of the encoded {@code ModelInferResponse} in bytes. */
  int serializedSize() {
    return serializedSize;
  }

  /** The same answer as a protobuf message, for the paths that need one (REST, streaming). */
  public ModelInferResponse toProto() {
    return InferResponseEncoder.encode(modelName, modelVersion, id, outputs);
  }
}
