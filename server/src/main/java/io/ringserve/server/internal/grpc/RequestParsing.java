package io.ringserve.server.internal.grpc;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.io.InputStream;

/**
 * Answers a request body that does not parse with INVALID_ARGUMENT and one rate-limited log line.
 * Without it, gRPC lets the parser's exception escape the call: the client gets UNKNOWN and the
 * server logs a 60-line stack trace per call, which any client can repeat at will.
 *
 * <p>How: each method's request marshaller is wrapped so that a parse failure yields a marker
 * instead of throwing, and each handler's listener answers the marker. The service's schema
 * descriptors are kept, so reflection still describes it. Stateless; calls are confined to their
 * transport thread as gRPC's are.
 */
public final class RequestParsing {
  private static final RateLimitedLog LOG = new RateLimitedLog(RequestParsing.class.getName());

  private RequestParsing() {}

  /** {@code service}'s definition, answering unparseable requests with INVALID_ARGUMENT. */
  public static ServerServiceDefinition guarded(BindableService service) {
    ServerServiceDefinition original = service.bindService();
    ServiceDescriptor descriptor = original.getServiceDescriptor();
    ServiceDescriptor.Builder guardedDescriptor =
        ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(descriptor.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : original.getMethods()) {
      ServerMethodDefinition<?, ?> guardedMethod = guard(method);
      guardedDescriptor.addMethod(guardedMethod.getMethodDescriptor());
      methods.add(guardedMethod);
    }
    ServerServiceDefinition.Builder builder =
        ServerServiceDefinition.builder(guardedDescriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  private static <Q, R> ServerMethodDefinition<Object, R> guard(ServerMethodDefinition<Q, R> def) {
    MethodDescriptor<Q, R> method = def.getMethodDescriptor();
    MethodDescriptor<Object, R> guardedMethod =
        method.toBuilder(new Tolerant<>(method), method.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = def.getServerCallHandler();
    return ServerMethodDefinition.create(
        guardedMethod, (call, headers) -> new Answering<>(call, headers, handler));
  }

  /** A request that did not parse, and why. */
  private record Unparseable(String reason) {}

  /** Parses as the method's marshaller does; a failure becomes {@link Unparseable}. */
  private static final class Tolerant<Q> implements MethodDescriptor.Marshaller<Object> {
    private final MethodDescriptor<Q, ?> method;

    Tolerant(MethodDescriptor<Q, ?> method) {
      this.method = method;
    }

    @Override
    public InputStream stream(Object value) {
      @SuppressWarnings("unchecked")
      Q request = (Q) value;
      return method.streamRequest(request);
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return method.parseRequest(stream);
      } catch (RuntimeException malformed) {
        return new Unparseable(Status.fromThrowable(malformed).getDescription());
      }
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
      if (message instanceof Unparseable unparseable) {
        closed = true;
        String method = call.getMethodDescriptor().getFullMethodName();
        LOG.warn("refused a request to {0}: its body does not parse", method);
        call.close(
            Status.INVALID_ARGUMENT.withDescription(
                "the request body is not a valid "
                    + call.getMethodDescriptor().getServiceName()
                    + " request message for "
                    + call.getMethodDescriptor().getBareMethodName()
                    + (unparseable.reason() != null ? ": " + unparseable.reason() : "")),
            new Metadata());
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
