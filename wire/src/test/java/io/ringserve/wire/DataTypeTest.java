package io.ringserve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataTypeTest {

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "INT8, -128, true",
    "INT8, 127, true",
    "INT8, 128, false",
    "INT8, -129, false",
    "INT16, -32768, true",
    "INT16, 32768, false",
    "INT32, 2147483647, true",
    "INT32, -2147483649, false",
    "INT64, -9223372036854775808, true",
    "UINT8, 255, true",
    "UINT8, 256, false",
    "UINT8, -1, false",
    "UINT16, 65535, true",
    "UINT16, 65536, false",
    "UINT32, 4294967295, true",
    "UINT32, 4294967296, false",
    "UINT64, 9223372036854775807, true",
    "UINT64, -1, false",
    "FP32, 1, false",
    "BOOL, 1, false",
  })
  void shouldHoldAnIntegerOnlyWithinItsTypesRange(DataType type, long value, boolean holds) {
    assertEquals(holds, type.holdsInteger(value));
  }
}
