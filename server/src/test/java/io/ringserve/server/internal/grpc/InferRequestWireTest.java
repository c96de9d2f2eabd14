package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.ringserve.server.testing.ByteMutations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fields read straight from the wire are the fields of the message protobuf parses from the
 * same bytes; whatever the reader leaves to protobuf, or cannot read, it declines (null), so that
 * protobuf reads and refuses it as before.
 */
class InferRequestWireTest {
  @Test
  void shouldReadRandomValidRequestsAsProtobufDoes() throws IOException {
    Random random = new Random(19);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = randomRequest(random).toByteArray();
      InferRequestFields read = InferRequestWire.read(bytes);
      assertNotNull(read, "declined a request it reads: round " + round);
      assertSameFields(InferRequestFields.of(ModelInferRequest.parseFrom(bytes)), read);
    }
  }

  @Test
  void shouldKeepTheLastOfARepeatedString() throws IOException {
    // Two serialized messages one after the other parse as one message merged from both.
    ModelInferRequest first =
        ModelInferRequest.newBuilder().setModelName("first").setId("one").build();
    ModelInferRequest second = ModelInferRequest.newBuilder().setModelName("second").build();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    first.writeTo(body);
    second.writeTo(body);
    // One input whose name comes twice.
    byte[] input =
        concat(
            InferInputTensor.newBuilder().setName("A").addShape(1).addShape(300).build(),
            InferInputTensor.newBuilder().setName("B").setDatatype("FP32").build());
    CodedOutputStream out = CodedOutputStream.newInstance(body);
    out.writeByteArray(ModelInferRequest.INPUTS_FIELD_NUMBER, input);
    out.flush();
    byte[] bytes = body.toByteArray();

    InferRequestFields read = InferRequestWire.read(bytes);
    assertNotNull(read);
    assertEquals("second", read.modelName());
    assertEquals("one", read.id());
    assertEquals("B", read.inputs().get(0).name());
    assertArrayEquals(new long[] {1, 300}, read.inputs().get(0).shape());
    assertSameFields(InferRequestFields.of(ModelInferRequest.parseFrom(bytes)), read);
  }

  @Test
  void shouldLeaveAShapeSentInSeveralRunsToProtobufWithoutCopyingRunAfterRun() throws IOException {
    // 65,535 runs of one dimension each (192 KiB, under the smallest element limit): appending
    // run after run copied every dimension read so far, seconds of the event loop per request.
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(input);
    for (int run = 0; run < 65_535; run++) {
      out.writeTag(InferInputTensor.SHAPE_FIELD_NUMBER, 2);
      out.writeUInt32NoTag(1);
      out.writeInt64NoTag(1);
    }
    out.flush();
    // Written by hand: protobuf would write the shape back as one run.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    CodedOutputStream request = CodedOutputStream.newInstance(body);
    request.writeByteArray(ModelInferRequest.INPUTS_FIELD_NUMBER, input.toByteArray());
    request.flush();
    byte[] bytes = body.toByteArray();
    assertEquals(65_535, ModelInferRequest.parseFrom(bytes).getInputs(0).getShapeCount());
    // Bytes allocated, not only time, so that a fast machine cannot hide the copies: run after
    // run they come to gigabytes, against about a megabyte for the message itself.
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(thread);
    long started = System.nanoTime();
    assertNull(InferRequestWire.read(bytes));
    long millis = (System.nanoTime() - started) / 1_000_000;
    long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
    assertTrue(allocated < 64L << 20, "declined after allocating " + allocated + " bytes");
    assertTrue(millis < 2_000, "declined in " + millis + " ms");
  }

  @Test
  void shouldSizeAShapeByItsValuesNotItsBytes() throws IOException {
    // Negative dimensions take ten bytes each on the wire.
    long[] dims = {-1, -1, 16, Long.MIN_VALUE, 0};
    InferInputTensor.Builder input = InferInputTensor.newBuilder().setName("X");
    Arrays.stream(dims).forEach(input::addShape);
    byte[] bytes = ModelInferRequest.newBuilder().addInputs(input).build().toByteArray();
    InferRequestFields read = InferRequestWire.read(bytes);
    assertNotNull(read);
    assertArrayEquals(dims, read.inputs().get(0).shape());
    // The last dimension cut short: declined, for protobuf to refuse.
    byte[] cut = {(byte) (5 << 3 | 2), 3, (byte) (3 << 3 | 2), 1, (byte) 0x80};
    assertNull(InferRequestWire.read(cut));
  }

  @Test
  void shouldLeaveToProtobufWhatItDoesNotRead() {
    ModelInferRequest simple = randomRequest(new Random(1));
    InferParameter one = InferParameter.newBuilder().setInt64Param(1).build();
    ModelInferRequest[] declined = {
      simple.toBuilder().putParameters("priority", one).build(),
      simple.toBuilder()
          .addInputs(
              InferInputTensor.newBuilder()
                  .setName("TYPED")
                  .setContents(InferTensorContents.newBuilder().addIntContents(3)))
          .build(),
      simple.toBuilder()
          .addInputs(InferInputTensor.newBuilder().setName("P").putParameters("binary", one))
          .build(),
      simple.toBuilder()
          .addOutputs(
              InferRequestedOutputTensor.newBuilder()
                  .setName("OUT")
                  .putParameters(InferRequestDecoder.CLASSIFICATION, one))
          .build(),
    };
    for (ModelInferRequest request : declined) {
      assertNull(InferRequestWire.read(request.toByteArray()), request.toString());
    }
    byte[] unknownField = Arrays.copyOf(simple.toByteArray(), simple.getSerializedSize() + 2);
    unknownField[unknownField.length - 2] = (byte) (99 << 3); // field 99, varint
    unknownField[unknownField.length - 1] = 1;
    assertNull(InferRequestWire.read(unknownField));
    byte[] unpackedShape = {(byte) (5 << 3 | 2), 2, (byte) (3 << 3), 4}; // inputs { shape: 4 }
    assertNull(InferRequestWire.read(unpackedShape));
  }

  @Test
  void shouldReadNoMutatedRequestThatProtobufRefusesOrReadsOtherwise() throws IOException {
    Random random = new Random(20_240_101L);
    int read = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = ByteMutations.mutate(randomRequest(random).toByteArray(), random);
      InferRequestFields fields = InferRequestWire.read(bytes);
      ModelInferRequest parsed;
      try {
        parsed = ModelInferRequest.parseFrom(bytes);
      } catch (InvalidProtocolBufferException refused) {
        assertNull(fields, "read bytes that protobuf refuses: " + refused.getMessage());
        continue;
      }
      if (fields != null) {
        read++;
        assertSameFields(InferRequestFields.of(parsed), fields);
      }
    }
    assertTrue(read > 1_000, "the mutations left some requests readable: " + read);
  }

  private static void assertSameFields(InferRequestFields expected, InferRequestFields actual) {
    assertEquals(expected.modelName(), actual.modelName());
    assertEquals(expected.modelVersion(), actual.modelVersion());
    assertEquals(expected.id(), actual.id());
    assertEquals(expected.parameters(), actual.parameters());
    assertEquals(expected.inputs().size(), actual.inputs().size());
    for (int i = 0; i < expected.inputs().size(); i++) {
      InferRequestFields.Input want = expected.inputs().get(i);
      InferRequestFields.Input got = actual.inputs().get(i);
      assertEquals(want.name(), got.name());
      assertEquals(want.datatype(), got.datatype());
      assertArrayEquals(want.shape(), got.shape());
      assertEquals(want.contents(), got.contents());
    }
    assertEquals(expected.outputs(), actual.outputs());
    assertEquals(expected.raw(), actual.raw());
  }

  private static ModelInferRequest randomRequest(Random random) {
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder()
            .setModelName(pick(random, "simple", "mlp", "", "modèle-日本"))
            .setModelVersion(pick(random, "", "1", "42"))
            .setId(pick(random, "", "id-7", "ü".repeat(random.nextInt(200))));
    int inputs = random.nextInt(5);
    for (int i = 0; i < inputs; i++) {
      InferInputTensor.Builder input =
          InferInputTensor.newBuilder()
              .setName(pick(random, "INPUT" + i, "", "x"))
              .setDatatype(pick(random, "INT32", "FP32", "BYTES", ""));
      for (int d = random.nextInt(4); d > 0; d--) {
        input.addShape(
            pick(random, 0L, 1L, 16L, 300L, -1L, Long.MAX_VALUE, (long) random.nextInt()));
      }
      request.addInputs(input);
      if (random.nextBoolean()) {
        byte[] raw = new byte[random.nextInt(70)];
        random.nextBytes(raw);
        request.addRawInputContents(ByteString.copyFrom(raw));
      }
    }
    for (int o = random.nextInt(3); o > 0; o--) {
      request.addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT" + o));
    }
    return request.build();
  }

  private static byte[] concat(InferInputTensor a, InferInputTensor b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a.toByteArray());
    out.writeBytes(b.toByteArray());
    return out.toByteArray();
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
