package io.ringserve.loadtest.internal;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.proto.ProtoContents;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import io.ringserve.wire.Elements;
import io.ringserve.wire.TypedContents;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Turns the load generator's values (numbers, booleans and strings from data files or random
 * generators) into the KServe v2 wire forms, through the wire module's codecs: the same bits the
 * client library sends for the same values. Stateless.
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
    return type(datatype).byteSize();
  }

  /**
   * Raw little-endian encoding of {@code elements} values of {@code datatype}.
   *
   * @param value the value of element {@code i}: a {@link Number}, {@link Boolean} or {@link
   *     String} (BYTES takes any of them, as text)
   * @throws IllegalArgumentException if a value does not fit the datatype; the message names it
   */
  public static ByteString raw(String datatype, long elements, LongFunction<Object> value) {
    DataType type = type(datatype);
    if (!type.isFixedSize()) {
      List<ByteBuffer> framed = new ArrayList<>();
      for (long i = 0; i < elements; i++) {
        framed.add(
            ByteBuffer.wrap(String.valueOf(value.apply(i)).getBytes(StandardCharsets.UTF_8)));
      }
      return ProtoContents.wrapOwned(BytesFraming.write(framed));
    }
    ByteBuffer buf = Elements.allocate(type, elements);
    for (long i = 0; i < elements; i++) {
      Elements.put(buf, type, number(value.apply(i)));
    }
    return ProtoContents.wrapOwned(buf.flip());
  }

  /**
   * The typed form of {@code raw}.
   *
   * @throws LoadTestException for FP16 and BF16, which have no typed field
   */
  public static InferTensorContents typed(String name, String datatype, ByteString raw) {
    DataType type = type(datatype);
    if (!TypedContents.hasTypedField(type)) {
      throw new LoadTestException(
          "input "
              + name
              + " is "
              + datatype
              + ", which has no typed contents field; use --contents raw");
    }
    long count =
        type.isFixedSize()
            ? raw.size() / type.byteSize()
            : BytesFraming.count(name, raw.asReadOnlyByteBuffer());
    return ProtoContents.toProto(
        TypedContents.fromRaw(name, type, raw.asReadOnlyByteBuffer(), count));
  }

  private static DataType type(String datatype) {
    return DataType.lookup(datatype)
        .orElseThrow(
            () ->
                new LoadTestException(
                    "datatype '"
                        + datatype
                        + "' is not a KServe v2 datatype the load generator knows"));
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
}
