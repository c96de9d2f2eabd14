package io.ringserve.server;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferResponse;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.Elements;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds and reads the raw little-endian tensor bytes of the protocol, for tests. */
public final class WireTensors {
  private WireTensors() {}

  public static ByteString int32s(int... values) {
    return ByteString.copyFrom(Elements.ints(values));
  }

  public static ByteString floats(float... values) {
    return ByteString.copyFrom(Elements.floats(values));
  }

  public static ByteString strings(String... values) {
    byte[][] elements = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      elements[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return ByteString.copyFrom(BytesFraming.write(elements));
  }

  public static int[] readInt32s(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }

  public static float[] readFloats(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat();
    }
    return out;
  }

  public static String[] readStrings(ByteString raw) {
    ByteBuffer data = raw.asReadOnlyByteBuffer();
    ByteBuffer[] elements = BytesFraming.elements("raw", data, BytesFraming.count("raw", data));
    String[] out = new String[elements.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = StandardCharsets.UTF_8.decode(elements[i]).toString();
    }
    return out;
  }

  /** The raw bytes of the output named {@code name}. */
  public static ByteString output(ModelInferResponse response, String name) {
    for (int i = 0; i < response.getOutputsCount(); i++) {
      if (response.getOutputs(i).getName().equals(name)) {
        return response.getRawOutputContents(i);
      }
    }
    throw new AssertionError("no output " + name + " in " + response.getOutputsList());
  }

  public static InferInputTensor.Builder input(String name, String datatype, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  /** A valid raw-contents request to {@code simple}: INPUT0 = 0..15, INPUT1 = all ones. */
  public static ModelInferRequest.Builder simpleRequest() {
    int[] in0 = new int[16];
    int[] in1 = new int[16];
    for (int i = 0; i < 16; i++) {
      in0[i] = i;
      in1[i] = 1;
    }
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "INT32", 1, 16))
        .addInputs(input("INPUT1", "INT32", 1, 16))
        .addRawInputContents(int32s(in0))
        .addRawInputContents(int32s(in1));
  }
}
