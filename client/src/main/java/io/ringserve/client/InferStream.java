package io.ringserve.client;

import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelStreamInferResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringserve.client.internal.InferCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One {@code ModelStreamInfer} call: many requests over one HTTP/2 stream, each answered through
 * its own future. Responses may come back in any order; they are matched to requests by id. A
 * request without an id gets a fresh one ({@code "s1"}, {@code "s2"}, ...); a request whose id is
 * already waiting for an answer is refused.
 *
 * <p>A request the server fails is answered with a {@link RingServeException} whose {@link
 * RingServeException#isStreamError()} is true, and the stream goes on. If the stream itself ends
 * (server gone, deadline, {@link #cancel()}), every unanswered request fails with that status.
 *
 * <p>Thread-safe: any number of threads may {@link #send} at once (writes are serialised on a
 * lock). {@code send} never waits for the server; unanswered requests are buffered in memory, so a
 * caller that can outpace the model should bound its own requests in flight. Futures complete on a
 * gRPC executor thread. Cost per request: one map entry and one future.
 */
public final class InferStream implements AutoCloseable {
  private final ClientCallStreamObserver<ModelInferRequest> requests;
  private final Function<Throwable, RingServeException> mapError;
  private final AtomicLong nextId = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Object lock = new Object();

  /** Requests sent and not yet answered, by id. Guarded by {@code lock}. */
  private final Map<String, CompletableFuture<InferResult>> pending = new HashMap<>();

  /** Why the stream ended, once it has. Guarded by {@code lock}. */
  private RingServeException ended;

  /** {@link #close()} was called. Guarded by {@code lock}. */
  private boolean halfClosed;

  /**
   * Opens the stream through {@code open}, which starts the call with the given response observer
   * and returns the request side.
   */
  InferStream(
      Function<StreamObserver<ModelStreamInferResponse>, StreamObserver<ModelInferRequest>> open) {
    this.mapError = t -> RingServeException.from("ModelStreamInfer", t);
    this.requests = (ClientCallStreamObserver<ModelInferRequest>) open.apply(new Responses());
  }

  /**
   * Sends a request; the future completes with its result, or with a {@link RingServeException}.
   *
   * @throws IllegalArgumentException if a request with the same id is still waiting for its answer
   * @throws IllegalStateException if {@link #close()} was already called
   */
  public CompletableFuture<InferResult> send(InferRequest request) {
    String id = request.id().isEmpty() ? "s" + nextId.incrementAndGet() : request.id();
    // Encoding copies nothing but is the bulk of the work; keep it outside the lock.
    ModelInferRequest message = InferCodec.encode(request, id);
    CompletableFuture<InferResult> result = new CompletableFuture<>();
    synchronized (lock) {
      if (halfClosed) {
        throw new IllegalStateException("stream is closed; open a new one to send more requests");
      }
      if (ended != null) {
        result.completeExceptionally(ended);
        return result;
      }
      if (pending.putIfAbsent(id, result) != null) {
        throw new IllegalArgumentException(
            "request id \"" + id + "\" is already waiting for an answer on this stream");
      }
      requests.onNext(message);
    }
    return result;
  }

  /** The number of requests sent and not yet answered. */
  public int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /**
   * Completes when the stream has ended: normally after {@link #close()} and the last answer, or
   * exceptionally with the status that ended it.
   */
  public CompletableFuture<Void> done() {
    return done;
  }

  /**
   * Sends no more requests; the server answers those in flight and then ends the stream. Returns at
   * once; wait on {@link #done()} for the end. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (halfClosed || ended != null) {
        halfClosed = true;
        return;
      }
      halfClosed = true;
      requests.onCompleted();
    }
  }

  /** Ends the stream at once; unanswered requests fail with {@code CANCELLED}. */
  public void cancel() {
    requests.cancel("cancelled by the client", null);
  }

  /** Fails every unanswered request with {@code failure} and marks the stream ended. */
  private void end(RingServeException failure) {
    List<CompletableFuture<InferResult>> orphans;
    synchronized (lock) {
      if (ended != null) {
        return;
      }
      ended = failure;
      orphans = new ArrayList<>(pending.values());
      pending.clear();
    }
    for (CompletableFuture<InferResult> f : orphans) {
      f.completeExceptionally(failure);
    }
  }

  /** Receives answers on a gRPC thread and completes the matching futures. */
  private final class Responses implements StreamObserver<ModelStreamInferResponse> {
    @Override
    public void onNext(ModelStreamInferResponse response) {
      String id = response.getInferResponse().getId();
      CompletableFuture<InferResult> result;
      synchronized (lock) {
        result = pending.remove(id);
      }
      if (result == null) {
        // Not ours to answer: a second response for one request (decoupled models) or an id the
        // server did not echo. Nothing waits for it.
        return;
      }
      if (!response.getErrorMessage().isEmpty()) {
        result.completeExceptionally(
            RingServeException.fromStreamError(
                "ModelStreamInfer request " + id, response.getErrorMessage()));
        return;
      }
      try {
        result.complete(InferResult.of(response.getInferResponse()));
      } catch (IllegalStateException e) {
        result.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      RingServeException failure = mapError.apply(t);
      end(failure);
      done.completeExceptionally(failure);
    }

    @Override
    public void onCompleted() {
      end(
          RingServeException.fromStatus(
              "ModelStreamInfer",
              io.grpc.Status.INTERNAL.withDescription(
                  "the server ended the stream without answering"),
              null));
      done.complete(null);
    }
  }
}
