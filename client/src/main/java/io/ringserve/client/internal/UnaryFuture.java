package io.ringserve.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link CompletableFuture} fed by one unary gRPC call: completes with the converted response or
 * exceptionally with the mapped error. Cancelling the future cancels the call, so the server can
 * drop a request nobody waits for.
 *
 * <p>Completion happens on a gRPC executor thread; dependent stages without an {@code Async}
 * executor run there too and should not block.
 */
public final class UnaryFuture<RespT, T> extends CompletableFuture<T>
    implements ClientResponseObserver<Object, RespT> {
  private final Function<RespT, T> convert;
  private final Function<Throwable, RuntimeException> mapError;
  private volatile ClientCallStreamObserver<Object> call;
  private T value;

  public UnaryFuture(Function<RespT, T> convert, Function<Throwable, RuntimeException> mapError) {
    this.convert = convert;
    this.mapError = mapError;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
    this.call = requestStream;
  }

  @Override
  public void onNext(RespT response) {
    try {
      value = convert.apply(response);
    } catch (RuntimeException e) {
      completeExceptionally(e);
    }
  }

  @Override
  public void onError(Throwable t) {
    completeExceptionally(mapError.apply(t));
  }

  @Override
  public void onCompleted() {
    // A malformed response already failed the future in onNext; complete() is then a no-op.
    complete(value);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    ClientCallStreamObserver<Object> c = call;
    if (cancelled && c != null) {
      c.cancel("cancelled by the caller", null);
    }
    return cancelled;
  }
}
