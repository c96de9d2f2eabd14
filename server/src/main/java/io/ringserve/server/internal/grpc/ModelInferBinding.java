package io.ringserve.server.internal.grpc;

import inference.GRPCInferenceServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebinds the generated service's {@code ModelInfer} method to read {@link InferRequestFields}
 * ({@link InferRequestMarshaller}) and answer {@link InferReply}s ({@link InferReplyMarshaller}):
 * the same method name and schema descriptor (so clients and reflection see no difference), with
 * the request read and the response written without protobuf's messages. The other methods keep
 * their generated bindings. Stateless.
 */
final class ModelInferBinding {
  private ModelInferBinding() {}

  /** {@code generated} with its {@code ModelInfer} method answered by {@code infer}. */
  static ServerServiceDefinition rebind(
      ServerServiceDefinition generated,
      ServerCalls.UnaryMethod<InferRequestFields, InferReply> infer) {
    String modelInfer = GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName();
    ServiceDescriptor descriptor = generated.getServiceDescriptor();
    ServiceDescriptor.Builder rebound =
        ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(descriptor.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
      ServerMethodDefinition<?, ?> bound =
          method.getMethodDescriptor().getFullMethodName().equals(modelInfer)
              ? ServerMethodDefinition.create(
                  ownCodec(GRPCInferenceServiceGrpc.getModelInferMethod()),
                  ServerCalls.asyncUnaryCall(infer))
              : method;
      rebound.addMethod(bound.getMethodDescriptor());
      methods.add(bound);
    }
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(rebound.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  private static MethodDescriptor<InferRequestFields, InferReply> ownCodec(
      MethodDescriptor<?, ?> method) {
    return method.toBuilder(InferRequestMarshaller.INSTANCE, InferReplyMarshaller.INSTANCE).build();
  }
}
