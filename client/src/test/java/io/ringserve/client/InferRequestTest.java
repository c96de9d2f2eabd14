package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferRequest;
import io.ringserve.client.internal.InferCodec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InferRequestTest {
  @Test
  void shouldEncodeRawContentsByDefault() {
    InferRequest request =
        InferRequest.builder("m").input(Tensor.of("a", new int[] {1, 2}, 1, 2)).output("y").build();
    ModelInferRequest message = InferCodec.encode(request, "id-1");
    assertEquals("m", message.getModelName());
    assertEquals("id-1", message.getId());
    assertEquals(1, message.getRawInputContentsCount());
    assertEquals(8, message.getRawInputContents(0).size());
    assertEquals("INT32", message.getInputs(0).getDatatype());
    assertEquals(java.util.List.of(1L, 2L), message.getInputs(0).getShapeList());
    assertEquals("y", message.getOutputs(0).getName());
  }

  @Test
  void shouldEncodeTypedContentsWhenAsked() {
    InferRequest request =
        InferRequest.builder("m")
            .input(Tensor.of("a", new float[] {1.5f}, 1))
            .input(Tensor.of("s", new String[] {"x"}, 1))
            .typedContents()
            .build();
    ModelInferRequest message = InferCodec.encode(request, "");
    assertEquals(0, message.getRawInputContentsCount());
    assertEquals(1.5f, message.getInputs(0).getContents().getFp32Contents(0));
    assertEquals("x", message.getInputs(1).getContents().getBytesContents(0).toStringUtf8());
  }

  @Test
  void shouldRefuseFp16InTypedContents() {
    InferRequest request =
        InferRequest.builder("m")
            .input(Tensor.ofFp16("h", new float[] {1f}, 1))
            .typedContents()
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InferCodec.encode(request, ""));
    assertTrue(e.getMessage().contains("raw"), e.getMessage());
  }

  @Test
  void shouldRejectDuplicateInputsAndEmptyRequests() {
    InferRequest.Builder b = InferRequest.builder("m").input(Tensor.of("a", new int[1], 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.input(Tensor.of("a", new int[1], 1)));
    assertTrue(e.getMessage().contains("a"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> InferRequest.builder("m").build());
    assertThrows(IllegalArgumentException.class, () -> InferRequest.builder(" "));
  }

  @Test
  void shouldCarryPriorityAndQueueTimeoutAsTritonParameters() {
    InferRequest request =
        InferRequest.builder("m")
            .input(Tensor.of("a", new int[1], 1))
            .priority(2)
            .queueTimeout(Duration.ofMillis(5))
            .build();
    assertEquals(2, request.parameters().get("priority").getUint64Param());
    assertEquals(5000, request.parameters().get("timeout").getInt64Param());
  }
}
