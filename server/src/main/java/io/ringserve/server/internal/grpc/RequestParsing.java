package io.ringserve.server.internal.grpc;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.io.IOException;
import java.io.InputStream;

/**
 * Answers a request body that does not parse with INVALID_ARGUMENT, and one with more elements than
 * the server allows with RESOURCE_EXHAUSTED, each with one rate-limited log line. Without it, gRPC
 * lets the parser's exception escape the call: the client gets UNKNOWN and the server logs a
 * 60-line stack trace per call, which any client can repeat at will; and a message within the size
 * limit may still parse into more objects than the heap holds (see {@link ElementCount}).
 *
 * <p>A method may also be given an {@link EarlyRefusal}, asked about each message before it is read
 * (a large request to a full queue is refused from its first bytes: {@link FullQueueRefusal}).
 *
 * <p>How: each method's request marshaller is wrapped so that it counts the message's elements
 * before building it (a message of no more bytes than the limit cannot hold more elements, and is
 * not counted), and a parse failure or a count over the limit yields a marker instead of a request;
 * each handler's listener answers the marker. Counting happens in the marshaller, on the transport
 * thread, because that is where gRPC parses: the scan is one pass over bytes gRPC has already
 * received, far cheaper than the objects it prevents. The service's schema descriptors are kept, so
 * reflection still describes it. Immutable; calls are confined to their transport thread as gRPC's
 * are.
 */
public final class RequestParsing {
  private static final RateLimitedLog LOG = new RateLimitedLog(RequestParsing.class.getName());

  private RequestParsing() {}

  /**
   * Answers a call from its message's first bytes, before the message is read, or lets it be read.
   * Runs on the transport thread, so it must be cheap and must not block.
   */
  @FunctionalInterface
  public interface EarlyRefusal {
    /**
     * How to end the call, or {@code null} to read the message as usual. May read ahead in {@code
     * message} only between a {@code mark} and a {@code reset}.
     */
    Early refusal(InputStream message) throws IOException;
  }

  /**
   * An early refusal: the status to end the call with, and what to do once it is answered (count
   * it; not run for a call that an interceptor has already ended).
   */
  public record Early(Status status, Runnable answered) {}

  /**
   * {@code original}, answering unparseable requests with INVALID_ARGUMENT and requests of more
   * than {@code maxElements} elements with RESOURCE_EXHAUSTED; {@code refusal} is asked first about
   * each message of the method named {@code fullMethodName}.
   */
  public static ServerServiceDefinition guarded(
      ServerServiceDefinition original,
      long maxElements,
      String fullMethodName,
      EarlyRefusal refusal) {
    ServiceDescriptor descriptor = original.getServiceDescriptor();
    ServiceDescriptor.Builder guardedDescriptor =
        ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(descriptor.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : original.getMethods()) {
      boolean named = method.getMethodDescriptor().getFullMethodName().equals(fullMethodName);
      ServerMethodDefinition<?, ?> guardedMethod =
          guard(method, maxElements, named ? refusal : null);
      guardedDescriptor.addMethod(guardedMethod.getMethodDescriptor());
      methods.add(guardedMethod);
    }
    ServerServiceDefinition.Builder builder =
        ServerServiceDefinition.builder(guardedDescriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  private static <Q, R> ServerMethodDefinition<Object, R> guard(
      ServerMethodDefinition<Q, R> def, long maxElements, EarlyRefusal refusal) {
    MethodDescriptor<Q, R> method = def.getMethodDescriptor();
    MethodDescriptor<Object, R> guardedMethod =
        method.toBuilder(
                new Tolerant<>(method, maxElements, refusal), method.getResponseMarshaller())
            .build();
    ServerCallHandler<Q, R> handler = def.getServerCallHandler();
    return ServerMethodDefinition.create(
        guardedMethod, (call, headers) -> new Answering<>(call, headers, handler));
  }

  /**
   * A request refused before it was built: the status to answer, the line to log ({@code null} for
   * a refusal that is part of normal operation, such as a full queue) and what to run once
   * answered.
   */
  private record Refused(Status status, String logReason, Runnable answered) {
    Refused(Status status, String logReason) {
      this(status, logReason, () -> {});
    }
  }

  /**
   * Parses as the method's marshaller does, after counting the message's elements; a failure or a
   * count over the limit becomes {@link Refused}.
   */
  private static final class Tolerant<Q> implements MethodDescriptor.Marshaller<Object> {
    private final MethodDescriptor<Q, ?> method;
    private final long maxElements;
    private final EarlyRefusal refusal;
    private final ArrayParser<?> parser;

    Tolerant(MethodDescriptor<Q, ?> method, long maxElements, EarlyRefusal refusal) {
      this.method = method;
      this.maxElements = maxElements;
      this.refusal = refusal;
      MethodDescriptor.Marshaller<Q> marshaller = method.getRequestMarshaller();
      if (marshaller instanceof ArrayParser<?> own) {
        this.parser = own;
      } else if (marshaller instanceof PrototypeMarshaller<?> proto
          && proto.getMessagePrototype() instanceof Message message) {
        this.parser = ArrayParser.message(message);
      } else {
        this.parser = null;
      }
    }

    @Override
    public InputStream stream(Object value) {
      @SuppressWarnings("unchecked")
      Q request = (Q) value;
      return method.streamRequest(request);
    }

    @Override
    public Object parse(InputStream stream) {
      if (parser == null) {
        try {
          return method.parseRequest(stream);
        } catch (RuntimeException malformed) {
          return unparseable(Status.fromThrowable(malformed).getDescription());
        }
      }
      try {
        if (refusal != null) {
          Early early = refusal.refusal(stream);
          if (early != null) {
            return new Refused(early.status(), null, early.answered());
          }
        }
        byte[] bytes = readMessage(stream);
        // Every element takes at least one byte of the message (a field's tag, a packed value's
        // last byte), so a message of at most maxElements bytes cannot hold more: only larger ones
        // are scanned, and the usual request costs no pass before its parse. One that does not
        // parse is refused by the parse instead, with the same status.
        if (bytes.length > maxElements
            && ElementCount.count(bytes, parser.type(), maxElements) > maxElements) {
          return new Refused(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  "the request has more than "
                      + maxElements
                      + " elements (--grpc-max-request-elements); send large tensors as"
                      + " raw_input_contents"),
              "it has more than " + maxElements + " elements");
        }
        // The array is this call's own and never written again, so the request may view it.
        return parser.parse(bytes);
      } catch (IOException | RuntimeException malformed) {
        return unparseable(malformed.getMessage());
      }
    }

    /**
     * The message's bytes in an array of their exact size. gRPC hands the marshaller a stream that
     * knows its length; {@link InputStream#readAllBytes} would read it through a 16 KiB buffer and
     * then copy, which was the largest allocation of a small request.
     */
    private static byte[] readMessage(InputStream stream) throws IOException {
      if (!(stream instanceof KnownLength)) {
        return stream.readAllBytes();
      }
      byte[] bytes = new byte[stream.available()];
      int read = stream.readNBytes(bytes, 0, bytes.length);
      if (read != bytes.length || stream.read() != -1) {
        throw new IOException("the message is not the length gRPC announced");
      }
      return bytes;
    }

    private Refused unparseable(String reason) {
      return new Refused(
          Status.INVALID_ARGUMENT.withDescription(
              "the request body is not a valid "
                  + method.getServiceName()
                  + " request message for "
                  + method.getBareMethodName()
                  + (reason != null ? ": " + reason : "")),
          "its body does not parse");
    }
  }

  /** Hands parsed requests on; answers the first unparseable one and hides the rest. */
  private static final class Answering<Q, R> extends ForwardingServerCallListener<Object> {
    private final ServerCall<Object, R> call;
    private final ServerCall.Listener<Q> delegate;
    private boolean closed;

    @SuppressWarnings("unchecked")
    Answering(ServerCall<Object, R> call, Metadata headers, ServerCallHandler<Q, R> handler) {
      this.call = call;
      // The handler reads only the call's method name and writes responses of type R: the
      // request type it sees is never used to read from the call.
      this.delegate = handler.startCall((ServerCall<Q, R>) (ServerCall<?, R>) call, headers);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ServerCall.Listener<Object> delegate() {
      return (ServerCall.Listener<Object>) (ServerCall.Listener<?>) delegate;
    }

    @Override
    public void onMessage(Object message) {
      if (closed) {
        return;
      }
      if (message instanceof Refused refused) {
        closed = true;
        if (refused.logReason() != null) {
          String method = call.getMethodDescriptor().getFullMethodName();
          LOG.warn("refused a request to {0}: {1}", method, refused.logReason());
        }
        call.close(refused.status(), new Metadata());
        refused.answered().run();
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!closed) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!closed) {
        super.onReady();
      }
    }
  }
}
