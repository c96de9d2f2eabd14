package io.ringserve.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import inference.GrpcService.InferTensorContents;
import io.ringserve.wire.TypedValues;
import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.List;

/**
 * Adapts the protocol's {@code InferTensorContents} message to and from the wire module's {@link
 * TypedValues}, so that every typed-contents conversion is written once, in {@code
 * io.ringserve.wire.TypedContents}, over plain Java lists.
 *
 * <p>Stateless and thread-safe. {@link #view} copies nothing: its lists are the message's own and
 * its BYTES elements are read-only views of the message's {@code ByteString}s. {@link #toProto}
 * copies each value once into the new message.
 */
public final class ProtoContents {
  private ProtoContents() {}

  /** The typed fields of {@code contents}, as views. */
  public static TypedValues view(InferTensorContents contents) {
    return new TypedValues() {
      @Override
      public List<Boolean> boolContents() {
        return contents.getBoolContentsList();
      }

      @Override
      public List<Integer> intContents() {
        return contents.getIntContentsList();
      }

      @Override
      public List<Long> int64Contents() {
        return contents.getInt64ContentsList();
      }

      @Override
      public List<Integer> uintContents() {
        return contents.getUintContentsList();
      }

      @Override
      public List<Long> uint64Contents() {
        return contents.getUint64ContentsList();
      }

      @Override
      public List<Float> fp32Contents() {
        return contents.getFp32ContentsList();
      }

      @Override
      public List<Double> fp64Contents() {
        return contents.getFp64ContentsList();
      }

      @Override
      public List<ByteBuffer> bytesContents() {
        List<ByteString> elements = contents.getBytesContentsList();
        return new AbstractList<>() {
          @Override
          public ByteBuffer get(int index) {
            return elements.get(index).asReadOnlyByteBuffer();
          }

          @Override
          public int size() {
            return elements.size();
          }
        };
      }
    };
  }

  /** A message holding {@code values}. */
  public static InferTensorContents toProto(TypedValues values) {
    InferTensorContents.Builder out =
        InferTensorContents.newBuilder()
            .addAllBoolContents(values.boolContents())
            .addAllIntContents(values.intContents())
            .addAllInt64Contents(values.int64Contents())
            .addAllUintContents(values.uintContents())
            .addAllUint64Contents(values.uint64Contents())
            .addAllFp32Contents(values.fp32Contents())
            .addAllFp64Contents(values.fp64Contents());
    for (ByteBuffer element : values.bytesContents()) {
      out.addBytesContents(ByteString.copyFrom(element.duplicate()));
    }
    return out.build();
  }

  /**
   * Wraps a buffer that nobody writes again (for example one just returned by the wire module's
   * encoders) without copying it.
   */
  public static ByteString wrapOwned(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      return UnsafeByteOperations.unsafeWrap(
          buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    }
    return UnsafeByteOperations.unsafeWrap(buffer.duplicate());
  }
}
