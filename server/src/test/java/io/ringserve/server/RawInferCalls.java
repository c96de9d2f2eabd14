package io.ringserve.server;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ModelInfer} calls whose request body is given as bytes, for tests that send what no
 * well-formed client would (mutated, truncated or oversized messages). Stateless.
 */
final class RawInferCalls {
  /** {@code ModelInfer} with the request and the answer as bytes, unparsed. */
  static final MethodDescriptor<byte[], byte[]> MODEL_INFER =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("inference.GRPCInferenceService/ModelInfer")
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  private RawInferCalls() {}

  /** Sends {@code body} as one call; completes with the status the server ends it with. */
  static CompletableFuture<Status> send(Channel channel, byte[] body, Duration deadline) {
    CompletableFuture<Status> answer = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            MODEL_INFER,
            CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            answer.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.sendMessage(body);
    call.halfClose();
    return answer;
  }

  /** Bytes as they are. */
  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
