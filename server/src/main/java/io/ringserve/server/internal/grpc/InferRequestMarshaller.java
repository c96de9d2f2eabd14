package io.ringserve.server.internal.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import inference.GrpcService.ModelInferRequest;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;

/**
 * The request marshaller of the {@code ModelInfer} method: reads a {@code ModelInferRequest}'s
 * bytes into {@link InferRequestFields}, straight from the wire for the requests clients usually
 * send ({@link InferRequestWire}), through protobuf's message for the rest, so that those are read,
 * and refused, exactly as protobuf reads them. A request that goes to protobuf has been read by the
 * wire reader up to the field it declined, so it costs a second pass over those bytes (linear, and
 * only for requests with parameters, typed contents or unknown fields). Server side only: it never
 * streams a request. Stateless.
 */
final class InferRequestMarshaller
    implements MethodDescriptor.Marshaller<InferRequestFields>, ArrayParser<InferRequestFields> {
  static final InferRequestMarshaller INSTANCE = new InferRequestMarshaller();

  private InferRequestMarshaller() {}

  @Override
  public Descriptor type() {
    return ModelInferRequest.getDescriptor();
  }

  @Override
  public InferRequestFields parse(byte[] bytes) throws IOException {
    InferRequestFields fields = InferRequestWire.read(bytes);
    if (fields != null) {
      return fields;
    }
    return InferRequestFields.of(ArrayParser.aliased(ModelInferRequest.parser(), bytes));
  }

  /** As gRPC's protobuf marshaller: a body that does not parse fails the call. */
  @Override
  public InferRequestFields parse(InputStream stream) {
    try {
      return parse(stream.readAllBytes());
    } catch (IOException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription(e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }

  @Override
  public InputStream stream(InferRequestFields request) {
    throw new UnsupportedOperationException(
        "InferRequestFields are read by the server only; clients send a ModelInferRequest");
  }
}
