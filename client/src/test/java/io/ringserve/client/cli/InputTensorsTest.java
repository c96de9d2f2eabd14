package io.ringserve.client.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputTensorsTest {

  private static TensorMetadata input(String datatype) {
    return TensorMetadata.newBuilder().setName("X").setDatatype(datatype).addShape(-1).build();
  }

  private static void build(String datatype, String value) {
    InputTensors.build(input(datatype), new InputValues(List.of(value), null), null);
  }

  @Test
  void shouldRefuseAnIntegerOutsideItsTypesRangeNamingTheElement() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build("UINT8", "256"));
    assertTrue(
        e.getMessage().contains("input X element 0: 256 is out of range for UINT8"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> build("INT16", "-32769"));
    assertThrows(IllegalArgumentException.class, () -> build("UINT32", "-1"));
    IllegalArgumentException text =
        assertThrows(IllegalArgumentException.class, () -> build("INT32", "seven"));
    assertTrue(
        text.getMessage().contains("input X element 0: \"seven\" is not an integer of type INT32"),
        text.getMessage());
  }

  @Test
  void shouldTakeTheWholeRangeOfEachIntegerType() {
    assertDoesNotThrow(() -> build("INT8", "-128"));
    assertDoesNotThrow(() -> build("UINT32", "4294967295"));
    // Parsed as unsigned: past a signed long's range, still a UINT64.
    assertDoesNotThrow(() -> build("UINT64", "18446744073709551615"));
  }
}
