package io.ringserve.server.internal.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Counts the elements of a serialized protobuf message without building it, so that a request whose
 * parsed form would not fit the heap is refused before it is parsed.
 *
 * <p>Why: a message's size on the wire does not bound its size on the heap. A 63 MB {@code
 * ModelInferRequest} of 3-byte {@code bytes_contents} parses into 21 million {@code ByteString}s
 * (over a gigabyte); 1-byte varints in a packed {@code int64} field take 8 bytes each; every
 * unknown field becomes an object. Counting values, not bytes, bounds all of these at once.
 *
 * <p>What counts as one element: each value of a packed repeated field, and each other field
 * occurrence (a string, a bytes value, a nested message, a map entry, an unknown field) at any
 * depth. Nested messages the descriptor knows are scanned with their own descriptor; unknown groups
 * are scanned too, as the parser keeps their fields.
 *
 * <p>Cost: one pass over the bytes, no allocation beyond the input stream's. Stateless.
 */
final class ElementCount {
  /** protobuf-java's own limit on nesting; a deeper message would not parse either. */
  private static final int MAX_DEPTH = 100;

  private ElementCount() {}

  /**
   * Elements in {@code bytes} read as a {@code type}, counting stops once past {@code limit}.
   *
   * @return the count, or {@code limit + 1} as soon as it exceeds {@code limit}
   * @throws IOException if the bytes are not a well-formed protobuf message
   */
  static long count(byte[] bytes, Descriptor type, long limit) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.setSizeLimit(Integer.MAX_VALUE);
    Counter counter = new Counter(limit, bytes.length);
    try {
      counter.message(in, type, 0, -1);
    } catch (Over over) {
      // counted past the limit: no need to read further
    }
    return counter.count;
  }

  /** Running total; stops the scan by throwing once over the limit. */
  private static final class Counter {
    private final long limit;
    private final int end;
    private long count;

    Counter(long limit, int end) {
      this.limit = limit;
      this.end = end;
    }

    private void add(long elements) throws Over {
      count += elements;
      if (count > limit) {
        count = limit + 1;
        throw Over.INSTANCE;
      }
    }

    /**
     * Scans fields up to the end of the current limit, or to the end-group tag of {@code group}
     * when {@code group >= 0}. {@code type} is null inside an unknown group.
     */
    void message(CodedInputStream in, Descriptor type, int depth, int group) throws IOException {
      if (depth > MAX_DEPTH) {
        throw new IOException("the message is nested more than " + MAX_DEPTH + " deep");
      }
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          if (group >= 0) {
            throw new IOException("a group has no end-group tag");
          }
          return;
        }
        int number = WireFormat.getTagFieldNumber(tag);
        int wireType = WireFormat.getTagWireType(tag);
        if (wireType == WireFormat.WIRETYPE_END_GROUP) {
          if (number != group) {
            throw new IOException("an end-group tag does not match its group");
          }
          return;
        }
        FieldDescriptor field = type == null ? null : type.findFieldByNumber(number);
        field(in, field, tag, depth);
      }
    }

    private void field(CodedInputStream in, FieldDescriptor field, int tag, int depth)
        throws IOException {
      int wireType = WireFormat.getTagWireType(tag);
      if (wireType == WireFormat.WIRETYPE_START_GROUP) {
        add(1);
        message(in, null, depth + 1, WireFormat.getTagFieldNumber(tag));
        return;
      }
      if (wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        add(1);
        in.skipField(tag);
        return;
      }
      int length = in.readRawVarint32();
      if (length < 0 || length > end - in.getTotalBytesRead()) {
        throw new IOException("a field's length runs past the end of the message");
      }
      if (field != null && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        add(1);
        int outer = in.pushLimit(length);
        message(in, field.getMessageType(), depth + 1, -1);
        in.popLimit(outer);
        return;
      }
      if (field != null && field.isRepeated() && field.isPackable()) {
        add(packedValues(in, field, length));
        return;
      }
      add(1);
      in.skipRawBytes(length);
    }

    /** Values in a packed field of {@code length} bytes; leaves the stream after them. */
    private static long packedValues(CodedInputStream in, FieldDescriptor field, int length)
        throws IOException {
      switch (field.getLiteType().getWireType()) {
        case WireFormat.WIRETYPE_FIXED32:
          in.skipRawBytes(length);
          return length / 4;
        case WireFormat.WIRETYPE_FIXED64:
          in.skipRawBytes(length);
          return length / 8;
        default:
          // One value per byte without the continuation bit.
          long values = 0;
          for (int i = 0; i < length; i++) {
            if (in.readRawByte() >= 0) {
              values++;
            }
          }
          return values;
      }
    }
  }

  /** Thrown to unwind the scan once the limit is passed; carries no stack. */
  private static final class Over extends RuntimeException {
    static final Over INSTANCE = new Over();

    private Over() {
      super(null, null, false, false);
    }
  }
}
