package io.ringserve.server.internal.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;

/**
 * Reads a request of one protobuf type from an array that holds exactly its bytes and that is never
 * written again, so that what it reads may view the array. {@link RequestParsing} reads each call's
 * message into such an array, counts its elements, then hands it to the method's request marshaller
 * when the marshaller is one of these, or parses it as a protobuf message ({@link #message}).
 */
interface ArrayParser<Q> {
  /** The protobuf type the bytes hold, for counting their elements. */
  Descriptor type();

  /**
   * The request in {@code bytes}.
   *
   * @throws IOException if they are not a well-formed message of {@link #type()}
   */
  Q parse(byte[] bytes) throws IOException;

  /** A parser of {@code prototype}'s messages whose bytes fields view the array. */
  static ArrayParser<Message> message(Message prototype) {
    return new ArrayParser<>() {
      @Override
      public Descriptor type() {
        return prototype.getDescriptorForType();
      }

      @Override
      public Message parse(byte[] bytes) throws IOException {
        return aliased(prototype.getParserForType(), bytes);
      }
    };
  }

  /**
   * {@code bytes} parsed by {@code parser}: raw tensor contents are then not copied a second time.
   */
  static <T> T aliased(com.google.protobuf.Parser<T> parser, byte[] bytes) throws IOException {
    CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    input.enableAliasing(true);
    T message = parser.parseFrom(input);
    // As parseFrom(byte[]) does: a stray end-group tag must not end the message early (the
    // element count refuses one already; this keeps the parse sound on its own).
    input.checkLastTagWas(0);
    return message;
  }
}
