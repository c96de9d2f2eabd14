package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferResponse;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Clients parse what {@link InferReplyMarshaller} writes as a {@code ModelInferResponse}: the bytes
 * must be the very bytes protobuf-java writes for the message the REST and streaming paths build
 * ({@link InferReply#toProto()}), whichever way gRPC reads the stream.
 */
class InferReplyMarshallerTest {
  @Test
  void shouldWriteTheBytesProtobufWritesForTheSameResponse() throws IOException {
    assertSameAsProtobuf(
        new InferReply(
            "simple", "1", "request-7", List.of(ints("OUTPUT0", 1, 16), ints("OUTPUT1", 1, 16))));
  }

  @Test
  void shouldLeaveOutEmptyStringsAsProto3Does() throws IOException {
    InferReply reply = new InferReply("m", "", "", List.of(ints("OUT", 2, 3)));
    assertSameAsProtobuf(reply);
    ModelInferResponse parsed = parse(reply);
    assertEquals("", parsed.getModelVersion());
    assertEquals("", parsed.getId());
  }

  @Test
  void shouldWriteEmptyScalarAndBytesOutputs() throws IOException {
    Tensor empty = ints("EMPTY", 0, 4);
    Tensor scalar = Tensor.of("SCALAR", DataType.FP64, new long[0], ByteBuffer.allocate(8));
    Tensor strings = strings("TEXT", "", "one", "ünïcødé", "x".repeat(300));
    InferReply reply = new InferReply("m", "3", "id", List.of(empty, scalar, strings));
    assertSameAsProtobuf(reply);
    ModelInferResponse parsed = parse(reply);
    assertEquals(3, parsed.getRawOutputContentsCount());
    assertEquals(0, parsed.getRawOutputContents(0).size());
    assertEquals(List.of(), parsed.getOutputs(1).getShapeList());
    assertEquals("BYTES", parsed.getOutputs(2).getDatatype());
  }

  @Test
  void shouldWriteNamesAndIdsOutsideAscii() throws IOException {
    // An unpaired surrogate (a REST client's JSON may hold one) is written as protobuf writes it.
    assertSameAsProtobuf(
        new InferReply("modèle", "1", "id-\ud800-日本", List.of(ints("sortie-é", 1, 2))));
  }

  @Test
  void shouldWriteManyOutputsOfVariedShapesAndTypes() throws IOException {
    Random random = new Random(19);
    for (int round = 0; round < 200; round++) {
      List<Tensor> outputs = new ArrayList<>();
      int count = random.nextInt(20);
      for (int i = 0; i < count; i++) {
        outputs.add(randomTensor(random, "OUT" + i));
      }
      assertSameAsProtobuf(
          new InferReply("model-" + round, Integer.toString(round), "id" + round, outputs));
    }
  }

  @Test
  void shouldGiveTheSameBytesWhenReadAsWhenDrained() throws IOException {
    InferReply reply = new InferReply("m", "1", "id", List.of(ints("A", 3, 5), ints("B", 1, 1)));
    InputStream drained = InferReplyMarshaller.INSTANCE.stream(reply);
    assertEquals(reply.serializedSize(), drained.available());
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    int count = ((io.grpc.Drainable) drained).drainTo(target);
    assertEquals(reply.serializedSize(), count);
    assertEquals(0, drained.available());

    InputStream read = InferReplyMarshaller.INSTANCE.stream(reply);
    byte[] first = new byte[7];
    assertEquals(7, read.read(first));
    assertEquals(first[0] & 0xff, target.toByteArray()[0] & 0xff);
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    rest.write(first);
    int b = read.read();
    rest.write(b);
    rest.write(read.readAllBytes());
    assertEquals(-1, read.read());
    assertArrayEquals(target.toByteArray(), rest.toByteArray());
  }

  @Test
  void shouldDrainEveryAnswerWholeWhileTheThreadReusesItsArray() throws IOException {
    InferReply large =
        new InferReply(
            "m", "1", "large", List.of(ints("BIG", 2, InferReplyMarshaller.SCRATCH_BYTES / 4)));
    InferReply longer = new InferReply("m", "1", "longer-id", List.of(ints("A", 4, 16)));
    InferReply shorter = new InferReply("m", "1", "", List.of(ints("B", 1, 2)));
    for (InferReply reply : List.of(longer, large, shorter, longer, shorter)) {
      ByteArrayOutputStream target = new ByteArrayOutputStream();
      InputStream stream = InferReplyMarshaller.INSTANCE.stream(reply);
      assertEquals(reply.serializedSize(), ((io.grpc.Drainable) stream).drainTo(target));
      assertEquals(0, stream.available());
      assertEquals(-1, stream.read());
      assertArrayEquals(reply.toProto().toByteArray(), target.toByteArray());
    }
  }

  @Test
  void shouldDrainALargeAnswerWithoutAHeapCopyOfItsSize() throws IOException {
    InferReply large = new InferReply("m", "1", "", List.of(ints("BIG", 1, 1 << 20))); // 4 MiB
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    InputStream stream = InferReplyMarshaller.INSTANCE.stream(large);
    long before = threads.getThreadAllocatedBytes(thread);
    int drained = ((io.grpc.Drainable) stream).drainTo(java.io.OutputStream.nullOutputStream());
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertEquals(large.serializedSize(), drained);
    assertTrue(allocated < 256 * 1024, "allocated " + allocated + " bytes to drain 4 MiB");
  }

  @Test
  void shouldRefuseToParseOnTheServer() {
    assertThrows(
        UnsupportedOperationException.class,
        () -> InferReplyMarshaller.INSTANCE.parse(InputStream.nullInputStream()));
  }

  private static void assertSameAsProtobuf(InferReply reply) throws IOException {
    ModelInferResponse expected = reply.toProto();
    byte[] written = InferReplyMarshaller.INSTANCE.stream(reply).readAllBytes();
    assertEquals(expected.getSerializedSize(), reply.serializedSize());
    assertArrayEquals(expected.toByteArray(), written);
    // Parsed from protobuf's own bytes: a string holding an unpaired surrogate does not survive.
    assertEquals(
        ModelInferResponse.parseFrom(expected.toByteArray()),
        ModelInferResponse.parseFrom(written));
  }

  private static ModelInferResponse parse(InferReply reply) throws IOException {
    return ModelInferResponse.parseFrom(InferReplyMarshaller.INSTANCE.stream(reply));
  }

  private static Tensor ints(String name, int rows, int columns) {
    ByteBuffer data = ByteBuffer.allocate(rows * columns * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * columns; i++) {
      data.putInt(i * 31 - 7);
    }
    return Tensor.of(name, DataType.INT32, new long[] {rows, columns}, data.flip());
  }

  private static Tensor strings(String name, String... values) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (String value : values) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      ByteBuffer length =
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length);
      data.writeBytes(length.array());
      data.writeBytes(bytes);
    }
    return Tensor.of(
        name, DataType.BYTES, new long[] {values.length}, ByteBuffer.wrap(data.toByteArray()));
  }

  private static Tensor randomTensor(Random random, String name) {
    DataType[] types = {
      DataType.INT32, DataType.FP32, DataType.INT64, DataType.UINT8, DataType.BOOL
    };
    DataType type = types[random.nextInt(types.length)];
    int rank = random.nextInt(4);
    long[] shape = new long[rank];
    long elements = 1;
    for (int d = 0; d < rank; d++) {
      // Dimensions of one to three varint bytes; a zero now and then.
      shape[d] = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(d == 0 ? 300 : 4);
      elements *= shape[d];
    }
    byte[] data = new byte[(int) elements * type.byteSize()];
    random.nextBytes(data);
    return Tensor.of(name, type, shape, ByteBuffer.wrap(data));
  }
}
