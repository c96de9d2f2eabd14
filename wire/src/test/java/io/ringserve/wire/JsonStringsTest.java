package io.ringserve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonStringsTest {
  @Test
  void shouldEscapeQuotesBackslashesAndControlCharacters() {
    assertEquals("\"a\\\"b\\\\c\"", JsonStrings.quote("a\"b\\c"));
    assertEquals("\"l1\\nl2\\r\\tend\"", JsonStrings.quote("l1\nl2\r\tend"));
    assertEquals("\"\\u0000\\u001f\\u0008\"", JsonStrings.quote("\u0000\u001f\b"));
  }

  @Test
  void shouldKeepPrintableAndNonAsciiTextAsItIs() {
    assertEquals("\"model_1 é 模型 /\"", JsonStrings.quote("model_1 é 模型 /"));
    assertEquals("\"\"", JsonStrings.quote(""));
  }

  @Test
  void shouldAppendToWhatTheBuilderHolds() {
    StringBuilder b = new StringBuilder("{\"k\":");
    assertEquals("{\"k\":\"v\"}", JsonStrings.appendQuoted(b, "v").append('}').toString());
  }
}
