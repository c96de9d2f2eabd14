package io.ringserve.server.internal.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * Writes one {@code ModelInfer} reply to its call and ends the call; run by the call's event loop
 * (or at once) through the answer outbox. A write that fails ends the call {@code INTERNAL} where
 * it still can, so that its caller gets an answer rather than waiting for its deadline.
 */
final class UnaryAnswer implements Runnable {
  private static final System.Logger LOG = System.getLogger(UnaryAnswer.class.getName());

  private final StreamObserver<InferReply> call;
  private final InferReply reply;

  UnaryAnswer(StreamObserver<InferReply> call, InferReply reply) {
    this.call = call;
    this.reply = reply;
  }

  @Override
  public void run() {
    try {
      call.onNext(reply);
      call.onCompleted();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "writing a ModelInfer answer failed", e);
      failQuietly(e);
    }
  }

  private void failQuietly(RuntimeException cause) {
    try {
      call.onError(
          Status.INTERNAL
              .withDescription("failed to write the response: " + cause)
              .asRuntimeException());
    } catch (RuntimeException alreadyEnded) {
      // The call ended as it failed; nothing more can reach its caller.
    }
  }
}
