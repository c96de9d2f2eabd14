package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch's input joined from its requests' inputs without a copy until one is needed. */
class TensorJoinedTest {
  @Test
  void shouldWriteThePartsInOrderStraightIntoTheTarget() {
    Tensor joined =
        Tensor.joined(
            "IN",
            DataType.INT32,
            new long[] {3, 3},
            List.of(Tensors.encoded("IN", 1, 2, 3), Tensors.encoded("IN", 2, 1, 3)));
    ByteBuffer target = ByteBuffer.allocateDirect(4 + 36).order(ByteOrder.LITTLE_ENDIAN);
    target.putInt(-1);

    joined.copyTo(target);

    assertEquals(40, target.position());
    assertEquals(36, joined.byteSize());
    assertFalse(joined.isDirect());
    assertEquals(1 * 1000 + 0, target.getInt(4));
    assertEquals(1 * 1000 + 12, target.getInt(4 + 20));
    assertEquals(2 * 1000 + 0, target.getInt(4 + 24));
    assertEquals(2 * 1000 + 2, target.getInt(4 + 32));
  }

  @Test
  void shouldCopyNothingWhenJoining() {
    ByteBuffer request = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    request.putInt(0, 5).putInt(4, 6).putInt(8, 7);
    Tensor part = Tensor.of("IN", DataType.INT32, new long[] {1, 3}, request);
    Tensor joined =
        Tensor.joined(
            "IN", DataType.INT32, new long[] {2, 3}, List.of(part, Tensors.encoded("IN", 9, 1, 3)));

    // Joining views the requests' bytes: a change to them after joining is what gets copied.
    request.putInt(0, 42);
    ByteBuffer target = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    joined.copyTo(target);

    assertEquals(42, target.getInt(0));
    assertEquals(9000, target.getInt(12));
  }

  @Test
  void shouldJoinOnceForCallersThatNeedOneBuffer() {
    Tensor joined =
        Tensor.joined(
            "IN",
            DataType.INT32,
            new long[] {3, 3},
            List.of(Tensors.encoded("IN", 1, 2, 3), Tensors.encoded("IN", 2, 1, 3)));

    assertEquals(2 * 1000 + 1, joined.data().getInt(28));
    assertTrue(Tensors.isEncoded(joined.rows(2, 1), 2, 1, 3));
    assertTrue(Tensors.isEncoded(joined.rows(0, 2), 1, 2, 3));
    assertEquals(36, joined.reshaped(new long[] {9}).byteSize());
    assertEquals(2000, joined.renamed("OUT").data().getInt(24));
  }

  @Test
  void shouldJoinBytesTensorsWithTheirLengthPrefixes() {
    Tensor joined =
        Tensor.joined(
            "S",
            DataType.BYTES,
            new long[] {3},
            List.of(Tensors.strings("S", "a", "bc"), Tensors.strings("S", "d")));

    assertEquals(List.of("a", "bc", "d"), Tensors.stringsOf(joined));
    ByteBuffer target = ByteBuffer.allocate(joined.byteSize());
    joined.copyTo(target);
    assertEquals(joined.data(), target.flip());
  }

  @Test
  void shouldRefusePartsThatDoNotMakeTheShapeNamingTheTensor() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tensor.joined(
                    "IN",
                    DataType.INT32,
                    new long[] {4, 3},
                    List.of(Tensors.encoded("IN", 1, 2, 3), Tensors.encoded("IN", 2, 1, 3))));
    assertTrue(e.getMessage().contains("'IN'"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Tensor.joined("S", DataType.INT32, new long[] {1}, List.of(Tensors.strings("S", "a"))));
  }
}
