package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ringserve.wire.DataType;
import org.junit.jupiter.api.Test;

class ValueParserTest {

  @Test
  void shouldRefuseAnIntegerOutsideItsTypesRangeNamingTheField() {
    RecordException e =
        assertThrows(
            RecordException.class,
            () -> ValueParser.number("count", new TextNode("256"), DataType.UINT8));
    assertEquals("field 'count' is 256, out of range for UINT8", e.getMessage());
    assertThrows(
        RecordException.class, () -> ValueParser.number("count", new IntNode(-1), DataType.UINT64));
  }

  @Test
  void shouldTakeTheEdgesOfEachIntegerTypesRange() throws RecordException {
    assertEquals(255L, ValueParser.number("count", new IntNode(255), DataType.UINT8).longValue());
    assertEquals(
        -2147483648L,
        ValueParser.number("count", new TextNode("-2147483648"), DataType.INT32).longValue());
  }
}
