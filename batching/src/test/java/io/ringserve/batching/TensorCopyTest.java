package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorCopyTest {
  @Test
  void shouldCopyExactlyTheViewsBytesAtTheTargetsPositionAndAdvanceIt() {
    Tensor middle = Tensors.encoded("IN", 7, 4, 3).rows(1, 2);
    ByteBuffer target = ByteBuffer.allocate(4 + 24 + 4).order(ByteOrder.LITTLE_ENDIAN);
    target.putInt(-1);

    middle.copyTo(target);

    assertEquals(28, target.position());
    assertEquals(-1, target.getInt(0));
    assertEquals(7 * 1000 + 10, target.getInt(4));
    assertEquals(7 * 1000 + 22, target.getInt(24));
    assertEquals(0, target.getInt(28));
    assertEquals(24, middle.byteSize());
    assertEquals(7 * 1000 + 10, middle.data().getInt()); // the source is left as it was
  }

  @Test
  void shouldRefuseATargetWithTooLittleRoomAndWriteNothing() {
    Tensor all = Tensors.encoded("IN", 7, 2, 3);
    ByteBuffer target = ByteBuffer.allocate(20);

    assertThrows(BufferOverflowException.class, () -> all.copyTo(target));

    assertEquals(0, target.position());
    assertEquals(0, target.getInt(0));
  }
}
