package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerDeadlineCallTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final RecordingCall call = new RecordingCall();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void shouldAnswerDeadlineExceededOnceAndDropTheHandlersLateAnswer() throws Exception {
    ServerDeadlineCall<String, String> guarded = new ServerDeadlineCall<>(call, "1 s");
    Context.CancellableContext context =
        Context.current().withDeadlineAfter(20, TimeUnit.MILLISECONDS, timer);
    context.addListener(guarded, Runnable::run);
    assertTrue(call.closed.isEmpty());

    Thread.sleep(200);
    assertEquals(List.of(Status.Code.DEADLINE_EXCEEDED), call.closedCodes());
    assertTrue(call.closed.get(0).getDescription().contains("--grpc-default-deadline-secs"));
    assertTrue(guarded.isCancelled(), "a scheduler skips a request its deadline answered");

    // The model returns after all: its answer must not reach a closed call.
    guarded.sendHeaders(new Metadata());
    guarded.sendMessage("late");
    guarded.close(Status.OK, new Metadata());
    assertEquals(List.of(Status.Code.DEADLINE_EXCEEDED), call.closedCodes());
    assertTrue(call.messages.isEmpty());
  }

  @Test
  void shouldLetAHandlerThatBeganAnsweringFinish() throws Exception {
    ServerDeadlineCall<String, String> guarded = new ServerDeadlineCall<>(call, "1 s");
    Context.CancellableContext context =
        Context.current().withDeadlineAfter(50, TimeUnit.MILLISECONDS, timer);
    context.addListener(guarded, Runnable::run);
    guarded.sendHeaders(new Metadata());

    Thread.sleep(200);
    guarded.sendMessage("answer");
    guarded.close(Status.OK, new Metadata());
    assertEquals(List.of("answer"), call.messages);
    assertEquals(List.of(Status.Code.OK), call.closedCodes());
    assertFalse(guarded.isCancelled());
  }

  @Test
  void shouldDoNothingWhenTheCallEndsBeforeItsDeadline() {
    ServerDeadlineCall<String, String> guarded = new ServerDeadlineCall<>(call, "1 s");
    Context.CancellableContext context =
        Context.current().withDeadlineAfter(10, TimeUnit.SECONDS, timer);
    context.addListener(guarded, Runnable::run);
    guarded.close(Status.INVALID_ARGUMENT, new Metadata());
    context.cancel(null); // as CallLimits does when the call completes
    assertEquals(List.of(Status.Code.INVALID_ARGUMENT), call.closedCodes());
  }

  /** Records what reaches the transport; fails a second close as gRPC's own call does. */
  private static final class RecordingCall extends ServerCall<String, String> {
    final List<String> messages = new ArrayList<>();
    final List<Status> closed = new ArrayList<>();

    List<Status.Code> closedCodes() {
      return closed.stream().map(Status::getCode).toList();
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(String message) {
      if (!closed.isEmpty()) {
        throw new IllegalStateException("call is closed");
      }
      messages.add(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!closed.isEmpty()) {
        throw new IllegalStateException("call already closed");
      }
      closed.add(status);
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      throw new UnsupportedOperationException();
    }
  }
}
