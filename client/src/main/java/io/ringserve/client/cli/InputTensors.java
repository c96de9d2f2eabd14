package io.ringserve.client.cli;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.ringserve.client.Tensor;
import io.ringserve.wire.DataType;
import io.ringserve.wire.Elements;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns command-line values into a {@link Tensor} of the datatype the model's metadata declares,
 * working out the shape: the one given with {@code --shape}, else the one nested JSON spells out
 * (with a batch dimension of 1 added when the model batches and it was left out), else the model's
 * shape with its single variable dimension filled from the value count. Stateless.
 */
final class InputTensors {
  private InputTensors() {}

  static Tensor build(TensorMetadata meta, InputValues input, long[] explicitShape) {
    String name = meta.getName();
    long[] shape = shape(meta, input, explicitShape);
    DataType type = DataType.fromWireName(meta.getDatatype());
    List<String> v = input.values();
    int n = v.size();
    return switch (type) {
      case BOOL -> {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
          out[i] = parseBool(name, i, v.get(i));
        }
        yield Tensor.of(name, out, shape);
      }
      case INT8, UINT8 -> {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
          out[i] = (byte) integer(name, i, v.get(i), type);
        }
        yield type == DataType.INT8
            ? Tensor.ofInt8(name, out, shape)
            : Tensor.ofUint8(name, out, shape);
      }
      case INT32 -> {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = (int) integer(name, i, v.get(i), type);
        }
        yield Tensor.of(name, out, shape);
      }
      case INT16, UINT16, UINT32, INT64, UINT64 -> {
        ByteBuffer b = Elements.allocate(type, n);
        for (int i = 0; i < n; i++) {
          Elements.put(b, type, integer(name, i, v.get(i), type));
        }
        yield raw(name, type, b, shape, n);
      }
      case FP16, BF16, FP32 -> {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = (float) real(name, i, v.get(i));
        }
        yield type == DataType.FP32
            ? Tensor.of(name, out, shape)
            : type == DataType.FP16
                ? Tensor.ofFp16(name, out, shape)
                : Tensor.ofBf16(name, out, shape);
      }
      case FP64 -> {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = real(name, i, v.get(i));
        }
        yield Tensor.of(name, out, shape);
      }
      case BYTES -> Tensor.of(name, v.toArray(new String[0]), shape);
    };
  }

  /** The shape to send; see the class comment for the order of choices. */
  static long[] shape(TensorMetadata meta, InputValues input, long[] explicitShape) {
    if (explicitShape != null) {
      return explicitShape;
    }
    long[] declared = meta.getShapeList().stream().mapToLong(Long::longValue).toArray();
    long[] nested = input.shape();
    if (nested != null) {
      if (nested.length == declared.length - 1 && declared.length > 0 && declared[0] == -1) {
        long[] batched = new long[declared.length];
        batched[0] = 1;
        System.arraycopy(nested, 0, batched, 1, nested.length);
        return batched;
      }
      return nested;
    }
    long known = 1;
    int variable = -1;
    long[] shape = declared.clone();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        if (variable >= 0) {
          // Two unknowns: a leading batch dimension is the one to fill, at 1, if it exists.
          if (variable == 0) {
            shape[0] = 1;
            variable = i;
            continue;
          }
          throw new IllegalArgumentException(
              "input "
                  + meta.getName()
                  + " has shape "
                  + Arrays.toString(declared)
                  + " with several variable dimensions; give one with --shape "
                  + meta.getName()
                  + "=D1,D2,...");
        }
        variable = i;
      } else {
        known *= shape[i];
      }
    }
    int count = input.values().size();
    if (variable >= 0) {
      if (known == 0 || count % known != 0) {
        throw new IllegalArgumentException(
            "input "
                + meta.getName()
                + ": "
                + count
                + " value(s) do not fill shape "
                + Arrays.toString(declared));
      }
      shape[variable] = count / known;
    }
    return shape;
  }

  private static Tensor raw(String name, DataType type, ByteBuffer b, long[] shape, int n) {
    io.ringserve.client.internal.Shapes.requireCount(name, shape, n);
    return Tensor.ofRaw(name, type, ByteString.copyFrom(b.flip()), shape);
  }

  private static long integer(String name, int i, String text, DataType type) {
    long value;
    try {
      value = type == DataType.UINT64 ? Long.parseUnsignedLong(text) : Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "input "
              + name
              + " element "
              + i
              + ": \""
              + text
              + "\" is not an integer of type "
              + type,
          e);
    }
    // A UINT64 was parsed as unsigned: every 64-bit pattern is one of its values.
    if (type != DataType.UINT64 && !type.holdsInteger(value)) {
      throw new IllegalArgumentException(
          "input " + name + " element " + i + ": " + value + " is out of range for " + type);
    }
    return value;
  }

  private static double real(String name, int i, String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "input " + name + " element " + i + ": \"" + text + "\" is not a number", e);
    }
  }

  private static boolean parseBool(String name, int i, String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default ->
          throw new IllegalArgumentException(
              "input " + name + " element " + i + ": \"" + text + "\" is not true/false/1/0");
    };
  }
}
