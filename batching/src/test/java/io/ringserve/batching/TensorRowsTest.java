package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TensorRowsTest {
  @Test
  void shouldViewTheRequestedRowsWithoutCopying() {
    Tensor all = Tensors.encoded("OUT", 7, 4, 3);

    Tensor middle = all.rows(1, 2);

    assertArrayEquals(new long[] {2, 3}, middle.shape());
    assertEquals(24, middle.byteSize());
    ByteBuffer data = middle.data();
    assertTrue(data.isReadOnly());
    assertEquals(7 * 1000 + 10, data.getInt());
    assertEquals(7 * 1000 + 20, data.getInt(12));
    assertSame(all, all.rows(0, 4));
    assertEquals(0, all.rows(4, 0).byteSize());
  }

  @Test
  void shouldRefuseRangesOutsideDimensionZeroAndBytesTensors() {
    Tensor all = Tensors.encoded("OUT", 7, 4, 3);
    assertThrows(IllegalArgumentException.class, () -> all.rows(3, 2));
    assertThrows(IllegalArgumentException.class, () -> all.rows(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> all.rows(0, -1));
    Tensor strings = Tensors.strings("S", "a", "b");
    assertThrows(IllegalArgumentException.class, () -> strings.rows(0, 1));
  }
}
