package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A {@code ModelInfer} reply written to its call, and a write that fails. */
class UnaryAnswerTest {
  /** A call that records what was written to it, in order. */
  private static class Call implements StreamObserver<InferReply> {
    final List<String> written = new ArrayList<>();

    @Override
    public void onNext(InferReply reply) {
      written.add("reply " + reply.id());
    }

    @Override
    public void onError(Throwable failure) {
      written.add("error " + failure.getMessage());
    }

    @Override
    public void onCompleted() {
      written.add("completed");
    }
  }

  private static InferReply reply(String id) {
    return new InferReply("model", "1", id, List.of());
  }

  @Test
  void shouldWriteTheReplyThenEndTheCall() {
    Call call = new Call();
    new UnaryAnswer(call, reply("r1")).run();
    assertEquals(List.of("reply r1", "completed"), call.written);
  }

  @Test
  void shouldEndTheCallInternalWhenTheWriteFails() {
    Call broken =
        new Call() {
          @Override
          public void onNext(InferReply reply) {
            throw new IllegalStateException("call already closed");
          }
        };
    new UnaryAnswer(broken, reply("r2")).run();
    assertEquals(1, broken.written.size());
    assertTrue(
        broken.written.get(0).startsWith("error INTERNAL: failed to write the response:"),
        broken.written.get(0));
  }

  @Test
  void shouldNotThrowWhenTheCallCannotBeEndedEither() {
    Call gone =
        new Call() {
          @Override
          public void onNext(InferReply reply) {
            throw new IllegalStateException("call already closed");
          }

          @Override
          public void onError(Throwable failure) {
            throw new IllegalStateException("call already closed");
          }
        };
    new UnaryAnswer(gone, reply("r3")).run();
    assertEquals(List.of(), gone.written);
  }
}
