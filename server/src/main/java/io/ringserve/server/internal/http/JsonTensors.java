package io.ringserve.server.internal.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import io.ringserve.wire.Elements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensor data in JSON, both ways: a request input's {@code data} (nested or flat, row-major) to the
 * raw little-endian layout the batcher takes, and raw output bytes to a flat JSON array. BOOL is
 * {@code true}/{@code false}, BYTES elements are strings; FP16 and BF16 have no JSON form and are
 * refused with Triton's words, pointing at the binary data extension.
 *
 * <p>Per element, by nature: large tensors belong in binary data. Stateless.
 */
final class JsonTensors {
  private JsonTensors() {}

  /**
   * The raw layout of {@code data}, which must hold exactly {@code elements} values of {@code
   * type}.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming the input and the problem
   */
  static ByteBuffer toRaw(String input, DataType type, long elements, JsonNode data) {
    if (type == DataType.FP16 || type == DataType.BF16) {
      throw HttpStatuses.invalid(
          "receiving "
              + type
              + " data via JSON is not supported. Please use the binary data format for input "
              + input);
    }
    List<JsonNode> values = new ArrayList<>();
    flatten(input, data, values, elements);
    if (values.size() != elements) {
      throw shapeMismatch(input);
    }
    if (type == DataType.BYTES) {
      byte[][] strings = new byte[values.size()][];
      for (int i = 0; i < strings.length; i++) {
        JsonNode v = values.get(i);
        if (!v.isTextual()) {
          throw notA(input, "string", v);
        }
        strings[i] = v.textValue().getBytes(StandardCharsets.UTF_8);
      }
      return BytesFraming.write(strings);
    }
    ByteBuffer out = Elements.allocate(type, elements);
    for (JsonNode v : values) {
      put(out, input, type, v);
    }
    return out.flip();
  }

  private static void flatten(String input, JsonNode node, List<JsonNode> out, long limit) {
    if (node.isArray()) {
      for (JsonNode element : node) {
        flatten(input, element, out, limit);
      }
      return;
    }
    if (out.size() >= limit) {
      // Stop early: a client must not make the server hold more values than the shape says.
      throw shapeMismatch(input);
    }
    out.add(node);
  }

  private static void put(ByteBuffer out, String input, DataType type, JsonNode v) {
    switch (type) {
      case BOOL -> {
        if (!v.isBoolean()) {
          throw notA(input, "boolean", v);
        }
        out.put((byte) (v.booleanValue() ? 1 : 0));
      }
      case FP32, FP64 -> {
        if (!v.isNumber()) {
          throw notA(input, "number", v);
        }
        Elements.put(out, type, v.doubleValue());
      }
      default -> Elements.put(out, type, integer(input, type, v));
    }
  }

  private static long integer(String input, DataType type, JsonNode v) {
    if (!v.isIntegralNumber()) {
      throw notA(input, "integer", v);
    }
    boolean unsigned = type.name().startsWith("UINT");
    if (type == DataType.UINT64) {
      if (v.isBigInteger()
          && v.bigIntegerValue().signum() >= 0
          && v.bigIntegerValue().bitLength() <= 64) {
        return v.bigIntegerValue().longValue();
      }
      if (v.canConvertToLong() && v.longValue() >= 0) {
        return v.longValue();
      }
      throw outOfRange(input, type, v);
    }
    if (!v.canConvertToLong()) {
      throw outOfRange(input, type, v);
    }
    long value = v.longValue();
    int bits = type.byteSize() * 8;
    boolean fits =
        bits == 64
            || (unsigned
                ? value >= 0 && value < (1L << bits)
                : value >= -(1L << (bits - 1)) && value < (1L << (bits - 1)));
    if (!fits) {
      throw outOfRange(input, type, v);
    }
    return value;
  }

  /**
   * Writes {@code count} elements of {@code data} as one flat JSON array.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for FP16 and BF16, which need binary
   */
  static void write(JsonGenerator json, String output, DataType type, ByteBuffer data, long count)
      throws IOException {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    json.writeStartArray();
    switch (type) {
      case BOOL -> {
        for (int i = in.position(); i < in.limit(); i++) {
          json.writeBoolean(in.get(i) != 0);
        }
      }
      case UINT8 -> {
        for (int i = in.position(); i < in.limit(); i++) {
          json.writeNumber(in.get(i) & 0xff);
        }
      }
      case INT8 -> {
        for (int i = in.position(); i < in.limit(); i++) {
          json.writeNumber(in.get(i));
        }
      }
      case UINT16 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getShort() & 0xffff);
        }
      }
      case INT16 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getShort());
        }
      }
      case UINT32 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getInt() & 0xffffffffL);
        }
      }
      case INT32 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getInt());
        }
      }
      case UINT64 -> {
        while (in.hasRemaining()) {
          long v = in.getLong();
          if (v >= 0) {
            json.writeNumber(v);
          } else {
            json.writeNumber(Long.toUnsignedString(v));
          }
        }
      }
      case INT64 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getLong());
        }
      }
      case FP32 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getFloat());
        }
      }
      case FP64 -> {
        while (in.hasRemaining()) {
          json.writeNumber(in.getDouble());
        }
      }
      case BYTES -> {
        for (ByteBuffer element : BytesFraming.elements(output, in, count)) {
          byte[] bytes = new byte[element.remaining()];
          element.duplicate().get(bytes);
          json.writeString(new String(bytes, StandardCharsets.UTF_8));
        }
      }
      case FP16, BF16 ->
          throw HttpStatuses.invalid(
              "sending "
                  + type
                  + " data via JSON is not supported. Please use the binary data format for"
                  + " output");
    }
    json.writeEndArray();
  }

  private static io.grpc.StatusRuntimeException shapeMismatch(String input) {
    return HttpStatuses.invalid(
        "Unable to parse 'data': Shape does not match true shape of 'data' field for input '"
            + input
            + "'");
  }

  private static io.grpc.StatusRuntimeException notA(String input, String what, JsonNode v) {
    return HttpStatuses.invalid(
        "Unable to parse 'data' of input '"
            + input
            + "': expected "
            + (what.equals("integer") ? "an " : "a ")
            + what
            + ", got "
            + v);
  }

  private static io.grpc.StatusRuntimeException outOfRange(
      String input, DataType type, JsonNode v) {
    return HttpStatuses.invalid(
        "Unable to parse 'data' of input '" + input + "': " + v + " is out of range for " + type);
  }
}
