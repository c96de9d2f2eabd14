package io.ringserve.server.internal.grpc;

import com.google.protobuf.CodedOutputStream;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The response marshaller of the {@code ModelInfer} method: streams an {@link InferReply} as the
 * bytes of a {@code ModelInferResponse} ({@link InferReplyWire}). The stream knows its length and
 * drains itself, so gRPC frames it without reading it through a buffer of its own: when drained,
 * the answer is encoded into an array the draining thread keeps for the next answer (one of up to
 * {@link #SCRATCH_BYTES}), which gRPC copies once into the transport's buffers; a larger answer is
 * written to gRPC's stream through a small buffer. Clients parse the bytes with their own {@code
 * ModelInferResponse} marshaller.
 *
 * <p>Server side only: {@link #parse} is never called by a server and refuses. Each stream is used
 * by one thread, as gRPC uses it; the kept arrays are per thread.
 */
final class InferReplyMarshaller implements MethodDescriptor.Marshaller<InferReply> {
  static final InferReplyMarshaller INSTANCE = new InferReplyMarshaller();

  /** The largest answer encoded into a thread's kept array. */
  static final int SCRATCH_BYTES = 16 * 1024;

  /** The buffer a larger answer is written through when drained. */
  private static final int STREAMING_BUFFER_BYTES = 4096;

  /**
   * Each thread's array for the answers it drains. gRPC drains a response while the service's
   * thread sends it, and copies the bytes before the drain returns, so one array per thread serves
   * every answer that thread sends.
   */
  private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

  private InferReplyMarshaller() {}

  @Override
  public InputStream stream(InferReply reply) {
    return new Encoded(reply);
  }

  @Override
  public InferReply parse(InputStream stream) {
    throw new UnsupportedOperationException(
        "InferReply is encoded by the server only; parse the bytes as a ModelInferResponse");
  }

  /** One reply's bytes, encoded when first read or drained. */
  private static final class Encoded extends InputStream implements KnownLength, Drainable {
    private final InferReply reply;
    private byte[] bytes;
    private int position;

    Encoded(InferReply reply) {
      this.reply = reply;
    }

    @Override
    public int available() {
      return reply.serializedSize() - position;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int size = reply.serializedSize();
      if (bytes == null && position == 0 && size <= SCRATCH_BYTES) {
        byte[] scratch = SCRATCH.get();
        if (scratch == null) {
          scratch = new byte[SCRATCH_BYTES];
          SCRATCH.set(scratch);
        }
        encode(scratch, size);
        target.write(scratch, 0, size);
        position = size;
        return size;
      }
      if (bytes == null && position == 0) {
        // A large answer goes through a small buffer, as protobuf's writeTo would send it: an
        // array of its full size would be one more heap copy of every large output.
        CodedOutputStream out = CodedOutputStream.newInstance(target, STREAMING_BUFFER_BYTES);
        InferReplyWire.write(reply, out);
        out.flush();
        position = size;
        return size;
      }
      byte[] encoded = bytes();
      int count = encoded.length - position;
      target.write(encoded, position, count);
      position = encoded.length;
      return count;
    }

    @Override
    public int read() throws IOException {
      byte[] encoded = bytes();
      return position < encoded.length ? encoded[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      byte[] encoded = bytes();
      Objects.checkFromIndexSize(offset, length, target.length);
      if (length == 0) {
        return 0;
      }
      if (position == encoded.length) {
        return -1;
      }
      int count = Math.min(length, encoded.length - position);
      System.arraycopy(encoded, position, target, offset, count);
      position += count;
      return count;
    }

    private byte[] bytes() throws IOException {
      if (bytes == null) {
        byte[] encoded = new byte[reply.serializedSize()];
        encode(encoded, encoded.length);
        bytes = encoded;
      }
      return bytes;
    }

    /** Writes the answer's {@code size} bytes at the start of {@code target}. */
    private void encode(byte[] target, int size) throws IOException {
      CodedOutputStream out = CodedOutputStream.newInstance(target, 0, size);
      InferReplyWire.write(reply, out);
      out.checkNoSpaceLeft();
    }
  }
}
