package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class NativeMemoryTest {

  @Test
  void shouldSeeTheNativeMemoryOfATensor() {
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(2, 3))) {
      assertNotNull(NativeMemory.nativeView(tensor.asRawTensor().data()));
    }
  }

  @Test
  void shouldBoundTheViewToTheTensorsOwnBytes() {
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(2, 3))) {
      ByteBuffer view = NativeMemory.nativeView(tensor.asRawTensor().data());

      assertEquals(24, view.capacity());
      assertEquals(24, view.remaining());
    }
  }

  @Test
  void shouldCopyAReadOnlyBufferIntoATensorExactly() {
    byte[] bytes = new byte[24];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 37);
    }
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(2, 3))) {
      NativeMemory.copy(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), tensor.asRawTensor().data());

      byte[] copied = new byte[24];
      tensor.asRawTensor().data().read(copied);
      assertArrayEquals(bytes, copied);
    }
  }

  @Test
  void shouldFallBackToArraysForBuffersOutsideNativeMemory() {
    var heap = DataBuffers.ofBytes(4);
    assertNull(NativeMemory.nativeView(heap));

    NativeMemory.copy(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}).asReadOnlyBuffer(), heap);

    byte[] copied = new byte[4];
    heap.read(copied);
    assertArrayEquals(new byte[] {1, 2, 3, 4}, copied);
  }

  @Test
  void shouldRefuseBuffersOfAnotherSize() {
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(2))) {
      assertThrows(
          IllegalArgumentException.class,
          () -> NativeMemory.copy(ByteBuffer.allocate(4), tensor.asRawTensor().data()));
    }
  }
}
