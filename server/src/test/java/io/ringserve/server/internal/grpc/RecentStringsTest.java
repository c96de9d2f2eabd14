package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A string read again is the one read before, and every read gives the string its own bytes hold,
 * whatever shared its slot in the table before.
 */
class RecentStringsTest {
  @Test
  void shouldGiveTheStringTheBytesHoldWhateverWasReadBefore() throws IOException {
    RecentStrings strings = RecentStrings.forThread();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1_000; i++) {
        String name = (i % 2 == 0 ? "INPUT" : "sortie-é") + i;
        assertEquals(name, read(strings, name));
      }
    }
    String longName = "x".repeat(500);
    assertEquals(longName, read(strings, longName));
    assertEquals("", read(strings, ""));
  }

  @Test
  void shouldReuseTheStringOfBytesReadAgain() throws IOException {
    RecentStrings strings = RecentStrings.forThread();
    String first = read(strings, "OUTPUT0");
    assertSame(first, read(strings, "OUTPUT0"));
  }

  @Test
  void shouldRefuseBytesThatAreNotUtf8AsProtobufDoes() {
    byte[] invalid = {2, (byte) 0xc3, 0x28}; // length 2, then a broken two-byte sequence
    RecentStrings strings = RecentStrings.forThread();
    assertThrows(
        InvalidProtocolBufferException.class,
        () -> strings.read(CodedInputStream.newInstance(invalid), invalid));
    byte[] truncated = {5, 'a', 'b'};
    assertThrows(
        InvalidProtocolBufferException.class,
        () -> strings.read(CodedInputStream.newInstance(truncated), truncated));
  }

  private static String read(RecentStrings strings, String value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeUInt32NoTag(value.getBytes(StandardCharsets.UTF_8).length);
    out.writeRawBytes(value.getBytes(StandardCharsets.UTF_8));
    out.flush();
    byte[] array = bytes.toByteArray();
    CodedInputStream in = CodedInputStream.newInstance(array);
    String read = strings.read(in, array);
    assertEquals(array.length, in.getTotalBytesRead());
    return read;
  }
}
