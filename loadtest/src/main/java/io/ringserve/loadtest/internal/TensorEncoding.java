package io.ringserve.loadtest.internal;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import io.ringserve.loadtest.LoadTestException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/**
 * Encodes tensor values into the KServe v2 wire forms: raw little-endian bytes (BYTES elements
 * length-prefixed), and typed {@link InferTensorContents} converted from raw. Stateless.
 *
 * <p>Runs only while the request pool is built, before any load, so it favours clarity over speed
 * (values arrive boxed).
 */
public final class TensorEncoding {
  private TensorEncoding() {}

  /**
   * Bytes per element of {@code datatype}, or -1 for BYTES.
   *
   * @throws LoadTestException if the datatype is not a v2 datatype
   */
  public static int elementSize(String datatype) {
    return switch (datatype) {
      case "BOOL", "INT8", "UINT8" -> 1;
      case "INT16", "UINT16", "FP16", "BF16" -> 2;
      case "INT32", "UINT32", "FP32" -> 4;
      case "INT64", "UINT64", "FP64" -> 8;
      case "BYTES" -> -1;
      default ->
          throw new LoadTestException(
              "datatype '" + datatype + "' is not a KServe v2 datatype the load generator knows");
    };
  }

  /**
   * Raw little-endian encoding of {@code elements} values of {@code datatype}.
   *
   * @param value the value of element {@code i}: a {@link Number}, {@link Boolean} or {@link
   *     String} (BYTES takes any of them, as text)
   * @throws IllegalArgumentException if a value does not fit the datatype; the message names it
   */
  public static ByteString raw(String datatype, long elements, LongFunction<Object> value) {
    int size = elementSize(datatype);
    if (size < 0) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] prefix = new byte[4];
      for (long i = 0; i < elements; i++) {
        Object v = value.apply(i);
        byte[] b = String.valueOf(v).getBytes(StandardCharsets.UTF_8);
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length);
        out.writeBytes(prefix);
        out.writeBytes(b);
      }
      return ByteString.copyFrom(out.toByteArray());
    }
    ByteBuffer buf =
        ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(elements, size)))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < elements; i++) {
      Object v = value.apply(i);
      if (datatype.equals("BOOL")) {
        buf.put((byte) (truth(v) ? 1 : 0));
        continue;
      }
      Number n = number(v);
      switch (datatype) {
        case "INT8", "UINT8" -> buf.put((byte) n.longValue());
        case "INT16", "UINT16" -> buf.putShort((short) n.longValue());
        case "INT32", "UINT32" -> buf.putInt((int) n.longValue());
        case "INT64", "UINT64" -> buf.putLong(n.longValue());
        case "FP16" -> buf.putShort(half(n.floatValue()));
        case "BF16" -> buf.putShort((short) (Float.floatToIntBits(n.floatValue()) >>> 16));
        case "FP32" -> buf.putFloat(n.floatValue());
        default -> buf.putDouble(n.doubleValue());
      }
    }
    return ByteString.copyFrom(buf.array());
  }

  /**
   * The typed form of {@code raw}.
   *
   * @throws LoadTestException for FP16 and BF16, which have no typed field
   */
  public static InferTensorContents typed(String name, String datatype, ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    while (b.hasRemaining()) {
      switch (datatype) {
        case "BOOL" -> c.addBoolContents(b.get() != 0);
        case "INT8" -> c.addIntContents(b.get());
        case "UINT8" -> c.addUintContents(b.get() & 0xff);
        case "INT16" -> c.addIntContents(b.getShort());
        case "UINT16" -> c.addUintContents(b.getShort() & 0xffff);
        case "INT32" -> c.addIntContents(b.getInt());
        case "UINT32" -> c.addUintContents(b.getInt());
        case "INT64" -> c.addInt64Contents(b.getLong());
        case "UINT64" -> c.addUint64Contents(b.getLong());
        case "FP32" -> c.addFp32Contents(b.getFloat());
        case "FP64" -> c.addFp64Contents(b.getDouble());
        case "BYTES" -> {
          byte[] element = new byte[b.getInt()];
          b.get(element);
          c.addBytesContents(ByteString.copyFrom(element));
        }
        default ->
            throw new LoadTestException(
                "input "
                    + name
                    + " is "
                    + datatype
                    + ", which has no typed contents field; use --contents raw");
      }
    }
    return c.build();
  }

  private static boolean truth(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    return number(v).doubleValue() != 0;
  }

  private static Number number(Object v) {
    if (v instanceof Number n) {
      return n;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    throw new IllegalArgumentException("value '" + v + "' is not a number");
  }

  /** IEEE 754 half precision; values too small flush to zero, too large become infinity. */
  static short half(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    if (exponent <= 0) {
      return (short) sign;
    }
    if (exponent >= 31) {
      return (short) (sign | 0x7c00);
    }
    return (short) (sign | exponent << 10 | (bits & 0x7fffff) >>> 13);
  }
}
