package io.ringserve.loadtest.internal;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelStreamInferResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends calls over {@code ModelStreamInfer}: one long-lived bidirectional stream per connection,
 * each request tagged with a fresh {@code id} that the server echoes, so responses may come back in
 * any order. A per-request failure ({@code error_message}) counts as status {@code Unknown}; when a
 * stream itself fails, its outstanding calls fail with the stream's status and the next call opens
 * a new stream.
 *
 * <p>The per-call deadline does not apply (a stream has one deadline for its whole life). Cost per
 * call: one shallow copy of the pooled request to set its id. Thread-safe.
 */
public final class StreamSender implements CallSender {
  private final Channels channels;
  private final Stream[] streams;
  private final AtomicLong ids = new AtomicLong();

  public StreamSender(Channels channels) {
    this.channels = Objects.requireNonNull(channels, "channels");
    this.streams = new Stream[channels.size()];
  }

  @Override
  public void send(int lane, ModelInferRequest request, Completion done) {
    int index = Math.floorMod(lane, streams.length);
    ModelInferRequest tagged =
        request.toBuilder().setId(Long.toString(ids.incrementAndGet())).build();
    while (!stream(index).send(tagged, done)) {
      reopen(index);
    }
  }

  @Override
  public synchronized void close() {
    for (Stream s : streams) {
      if (s != null) {
        s.halfClose();
      }
    }
  }

  private synchronized Stream stream(int index) {
    if (streams[index] == null) {
      streams[index] = open(index);
    }
    return streams[index];
  }

  private synchronized void reopen(int index) {
    if (streams[index] == null || streams[index].isClosed()) {
      streams[index] = open(index);
    }
  }

  private Stream open(int index) {
    Stream s = new Stream();
    s.start(GRPCInferenceServiceGrpc.newStub(channels.get(index)).modelStreamInfer(s));
    return s;
  }

  /** One stream: its request side and the calls awaiting an answer on it. */
  private static final class Stream implements StreamObserver<ModelStreamInferResponse> {
    private final Map<String, Completion> pending = new ConcurrentHashMap<>();

    // @GuardedBy("this"): StreamObserver.onNext must not be called concurrently.
    private StreamObserver<ModelInferRequest> requests;
    private boolean closed;

    synchronized void start(StreamObserver<ModelInferRequest> requestSide) {
      this.requests = requestSide;
    }

    synchronized boolean isClosed() {
      return closed;
    }

    synchronized boolean send(ModelInferRequest request, Completion done) {
      if (closed) {
        return false;
      }
      pending.put(request.getId(), done);
      requests.onNext(request);
      return true;
    }

    synchronized void halfClose() {
      if (!closed) {
        closed = true;
        requests.onCompleted();
      }
    }

    @Override
    public void onNext(ModelStreamInferResponse response) {
      Completion done = pending.remove(response.getInferResponse().getId());
      if (done == null) {
        return; // An answer to an id we did not send (or a second answer): not ours to count.
      }
      if (response.getErrorMessage().isEmpty()) {
        done.complete(Status.Code.OK, null);
      } else {
        done.complete(
            Status.Code.UNKNOWN, "rpc error: code = Unknown desc = " + response.getErrorMessage());
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      fail(Status.INTERNAL.withDescription("stream closed by the server before answering"));
    }

    private void fail(Status status) {
      synchronized (this) {
        closed = true;
      }
      String error = CallSender.describe(status);
      for (String id : pending.keySet()) {
        Completion done = pending.remove(id);
        if (done != null) {
          done.complete(status.getCode(), error);
        }
      }
    }
  }
}
