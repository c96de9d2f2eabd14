package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import io.ringserve.loadtest.LoadTestException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorEncodingTest {
  @Test
  void shouldEncodeRawValuesLittleEndian() {
    ByteString raw = TensorEncoding.raw("INT32", 2, i -> i == 0 ? 1 : 258);

    assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 1, 0, 0}, raw.toByteArray());
  }

  @Test
  void shouldPrefixEachBytesElementWithItsLength() {
    ByteString raw = TensorEncoding.raw("BYTES", 2, i -> i == 0 ? "ab" : "c");

    byte[] expected = {2, 0, 0, 0, 'a', 'b', 1, 0, 0, 0, 'c'};
    assertArrayEquals(expected, raw.toByteArray());
  }

  @Test
  void shouldConvertRawToTypedContents() {
    InferTensorContents ints =
        TensorEncoding.typed("x", "UINT8", TensorEncoding.raw("UINT8", 2, i -> 200));
    InferTensorContents floats =
        TensorEncoding.typed("x", "FP32", TensorEncoding.raw("FP32", 1, i -> 0.5));
    InferTensorContents strings =
        TensorEncoding.typed("x", "BYTES", TensorEncoding.raw("BYTES", 1, i -> "42"));

    assertEquals(List.of(200, 200), ints.getUintContentsList());
    assertEquals(List.of(0.5f), floats.getFp32ContentsList());
    assertEquals("42", strings.getBytesContents(0).toString(StandardCharsets.UTF_8));
  }

  @Test
  void shouldRefuseTypedHalfPrecisionNamingTheInput() {
    ByteString raw = TensorEncoding.raw("FP16", 1, i -> 1.0);

    assertArrayEquals(new byte[] {0, 0x3c}, raw.toByteArray());
    LoadTestException e =
        assertThrows(LoadTestException.class, () -> TensorEncoding.typed("IMG", "FP16", raw));
    assertEquals(
        "input IMG is FP16, which has no typed contents field; use --contents raw", e.getMessage());
  }

  @Test
  void shouldRejectAValueThatIsNotANumber() {
    assertThrows(IllegalArgumentException.class, () -> TensorEncoding.raw("FP32", 1, i -> "abc"));
  }
}
