package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Elements are counted from the wire as the parser would build them, and counting stops early. */
class ElementCountTest {
  private static final Descriptor REQUEST = ModelInferRequest.getDescriptor();

  private static long count(byte[] bytes, long limit) throws IOException {
    return ElementCount.count(bytes, REQUEST, limit);
  }

  @Test
  void shouldCountEachBytesContentsValue() throws IOException {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int i = 0; i < 1000; i++) {
      contents.addBytesContents(ByteString.copyFromUtf8("abc"));
    }
    byte[] bytes =
        ModelInferRequest.newBuilder()
            .setModelName("m") // 1
            .addInputs(
                InferInputTensor.newBuilder() // 1
                    .setName("in") // 1
                    .setDatatype("BYTES") // 1
                    .addShape(1000) // 1 (one packed value)
                    .setContents(contents)) // 1 + 1000
            .build()
            .toByteArray();
    assertEquals(1006, count(bytes, Long.MAX_VALUE));
  }

  @Test
  void shouldCountPackedValuesOneByOneWhateverTheirWidth() throws IOException {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int i = 0; i < 300; i++) {
      contents.addInt64Contents(i % 2 == 0 ? 1 : 1L << 40); // 1- and 6-byte varints
      contents.addFp32Contents(i);
      contents.addFp64Contents(i);
    }
    byte[] bytes =
        ModelInferRequest.newBuilder()
            .addInputs(InferInputTensor.newBuilder().setContents(contents))
            .build()
            .toByteArray();
    assertEquals(2 + 900, count(bytes, Long.MAX_VALUE));
  }

  @Test
  void shouldCountMapEntriesAndTheirFields() throws IOException {
    byte[] bytes =
        ModelInferRequest.newBuilder()
            .putParameters("a", InferParameter.newBuilder().setInt64Param(5).build())
            .build()
            .toByteArray();
    // entry, key, value message, value's int64 field
    assertEquals(4, count(bytes, Long.MAX_VALUE));
  }

  @Test
  void shouldCountUnknownFieldsAndGroups() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    for (int i = 0; i < 50; i++) {
      out.writeUInt64(1000, i); // unknown varint field
    }
    out.writeTag(1001, com.google.protobuf.WireFormat.WIRETYPE_START_GROUP);
    out.writeUInt64(1, 7);
    out.writeBytes(2, ByteString.copyFromUtf8("x"));
    out.writeTag(1001, com.google.protobuf.WireFormat.WIRETYPE_END_GROUP);
    out.flush();
    assertEquals(50 + 3, count(buffer.toByteArray(), Long.MAX_VALUE));
  }

  /**
   * RequestParsing skips the count for a message of at most the limit's size in bytes: that is
   * sound only if no message holds more elements than bytes. Checked on the densest messages
   * (1-byte packed varints, empty strings, unknown fields, groups) and on 20,000 mutations of them.
   */
  @Test
  void shouldNeverCountMoreElementsThanTheMessageHasBytes() throws IOException {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int i = 0; i < 50; i++) {
      contents.addInt64Contents(1).addBytesContents(ByteString.EMPTY).addBoolContents(true);
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    for (int i = 0; i < 20; i++) {
      out.writeUInt64(15, 0);
      out.writeBytes(14, ByteString.EMPTY);
      out.writeTag(13, com.google.protobuf.WireFormat.WIRETYPE_START_GROUP);
      out.writeTag(13, com.google.protobuf.WireFormat.WIRETYPE_END_GROUP);
    }
    out.flush();
    byte[] dense =
        ModelInferRequest.newBuilder()
            .setModelName("m")
            .addInputs(InferInputTensor.newBuilder().addShape(1).addShape(2).setContents(contents))
            .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(""))
            .putParameters("", InferParameter.newBuilder().setBoolParam(true).build())
            .addRawInputContents(ByteString.EMPTY)
            .build()
            .toByteString()
            .concat(ByteString.copyFrom(buffer.toByteArray()))
            .toByteArray();
    java.util.Random random = new java.util.Random(7);
    int counted = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes =
          i == 0 ? dense : io.ringserve.server.testing.ByteMutations.mutate(dense, random);
      long elements;
      try {
        elements = count(bytes, Long.MAX_VALUE);
      } catch (IOException malformed) {
        continue;
      }
      counted++;
      if (elements > bytes.length) {
        throw new AssertionError(elements + " elements in " + bytes.length + " bytes");
      }
    }
    assertTrue(counted > 1_000, "the mutations left some messages well formed: " + counted);
  }

  @Test
  void shouldStopJustPastTheLimit() throws IOException {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int i = 0; i < 10_000; i++) {
      contents.addBytesContents(ByteString.copyFromUtf8("abc"));
    }
    byte[] bytes =
        ModelInferRequest.newBuilder()
            .addInputs(InferInputTensor.newBuilder().setContents(contents))
            .build()
            .toByteArray();
    assertEquals(101, count(bytes, 100));
  }

  @Test
  void shouldRefuseALengthPastTheEnd() {
    byte[] truncated = {0x2a, 0x7f, 0x0a, 0x01, 0x61}; // inputs of 127 bytes, 3 present
    assertThrows(IOException.class, () -> count(truncated, Long.MAX_VALUE));
  }

  @Test
  void shouldRefuseAnUnterminatedGroup() {
    byte[] group = {(byte) 0xa3, 0x06, 0x08, 0x01}; // start group 100, one varint, no end
    assertThrows(IOException.class, () -> count(group, Long.MAX_VALUE));
  }
}
