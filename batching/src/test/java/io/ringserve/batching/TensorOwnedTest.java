package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Tensor#ofOwned} and {@link InferenceRequest#of}: the server's allocation-free paths. */
class TensorOwnedTest {
  @Test
  void shouldReadAHandedOverViewAsOfWouldAndLeaveTheMessageAsItWas() {
    ByteBuffer message = ByteBuffer.allocate(4 + 8).order(ByteOrder.LITTLE_ENDIAN);
    message.putInt(0, 99).putInt(4, 7).putInt(8, 8);
    ByteBuffer entry = message.asReadOnlyBuffer().slice(4, 8);

    Tensor owned = Tensor.ofOwned("IN", DataType.INT32, new long[] {1, 2}, entry);

    assertEquals(8, owned.byteSize());
    ByteBuffer data = owned.data();
    assertTrue(data.isReadOnly());
    assertEquals(0, data.position());
    assertEquals(7, data.getInt());
    assertEquals(8, data.getInt());
    assertEquals(owned.data(), Tensor.of("IN", DataType.INT32, new long[] {1, 2}, entry).data());
  }

  @Test
  void shouldViewAWritableOrUnpositionedBufferSoThatMovingItLeavesTheTensorAsItWas() {
    ByteBuffer writable = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    writable.putInt(0, 1).putInt(4, 2).putInt(8, 3);
    writable.position(4);

    Tensor tensor = Tensor.ofOwned("IN", DataType.INT32, new long[] {2}, writable);
    writable.position(0).limit(4);

    assertTrue(tensor.data().isReadOnly());
    assertEquals(8, tensor.byteSize());
    assertEquals(2, tensor.data().getInt(0));
    assertEquals(3, tensor.data().getInt(4));
  }

  @Test
  void shouldRefuseDataThatDoesNotMatchTheShapeAsOfDoes() {
    ByteBuffer short4 = ByteBuffer.allocate(4).asReadOnlyBuffer();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tensor.ofOwned("IN", DataType.INT32, new long[] {1, 2}, short4));

    assertTrue(e.getMessage().contains("needs 8 bytes of data, got 4"), e.getMessage());
  }

  @Test
  void shouldMakeTheSameRequestAsTheBuilderAndRefuseWhatItRefuses() {
    Tensor input = Tensor.of("IN", DataType.INT32, new long[] {2, 1}, ByteBuffer.allocate(8));
    InferenceCallback ignored =
        new InferenceCallback() {
          @Override
          public void onSuccess(List<Tensor> outputs) {}

          @Override
          public void onFailure(InferenceException failure) {}
        };

    InferenceRequest request =
        InferenceRequest.of(
            "id-1", List.of(input), List.of("OUT"), 2, 500, 1234, () -> true, ignored);

    assertEquals("id-1", request.id());
    assertEquals(List.of(input), request.inputs());
    assertEquals(List.of("OUT"), request.requestedOutputs());
    assertEquals(2, request.priorityLevel());
    assertEquals(500, request.timeoutMicros());
    assertEquals(1234, request.deadlineNanos());
    assertEquals(2, request.batchSize());
    assertTrue(request.isCancelled());
    assertTrue(request.arrivalNanos() != 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> InferenceRequest.of("", List.of(input), List.of(), -1, 0, 0, () -> false, ignored));
    assertThrows(
        IllegalArgumentException.class,
        () -> InferenceRequest.of("", List.of(input), List.of(), 0, -1, 0, () -> false, ignored));
    assertThrows(
        IllegalArgumentException.class,
        () -> InferenceRequest.of("", List.of(), List.of(), 0, 0, 0, () -> false, ignored));
    assertArrayEquals(new long[] {2, 1}, request.inputs().get(0).shape());
  }
}
