package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferRequest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reading the model a {@code ModelInferRequest} names from its first bytes only. */
class FullQueueRefusalTest {
  private static final ByteString TENSOR = ByteString.copyFrom(new byte[100_000]);

  private static byte[] head(ModelInferRequest request, int bytes) {
    byte[] all = request.toByteArray();
    return Arrays.copyOf(all, Math.min(bytes, all.length));
  }

  @Test
  void shouldReadTheNameAndVersionThatProtobufWritesFirst() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .setModelVersion("12")
            .setId("request-1")
            .addRawInputContents(TENSOR)
            .build();

    assertEquals(
        new FullQueueRefusal.Named("mlp", "12"), FullQueueRefusal.named(head(request, 512)));
  }

  @Test
  void shouldReadAnEmptyVersionWhenTheRequestNamesNone() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .putParameters("priority", InferParameter.newBuilder().setInt64Param(1).build())
            .addRawInputContents(TENSOR)
            .build();

    assertEquals(new FullQueueRefusal.Named("mlp", ""), FullQueueRefusal.named(head(request, 512)));
  }

  @Test
  void shouldNotGuessWhenTheNameIsNotFirstOrNotWhole() {
    ModelInferRequest unnamed = ModelInferRequest.newBuilder().addRawInputContents(TENSOR).build();
    ModelInferRequest longName =
        ModelInferRequest.newBuilder()
            .setModelName("m".repeat(600))
            .addRawInputContents(TENSOR)
            .build();
    ModelInferRequest versionCut =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .setModelVersion("1".repeat(600))
            .addRawInputContents(TENSOR)
            .build();

    assertNull(FullQueueRefusal.named(head(unnamed, 512)));
    assertNull(FullQueueRefusal.named(head(longName, 512)));
    assertNull(FullQueueRefusal.named(head(versionCut, 512)));
    assertNull(FullQueueRefusal.named(new byte[0]));
    // A name that ends exactly where the look does: a version may follow it.
    ModelInferRequest nameToTheEdge =
        ModelInferRequest.newBuilder()
            .setModelName("m".repeat(509))
            .setModelVersion("2")
            .addRawInputContents(TENSOR)
            .build();
    assertNull(FullQueueRefusal.named(head(nameToTheEdge, 512)));
    assertNull(FullQueueRefusal.named(new byte[] {0x0A, (byte) 0xFF}));
  }
}
