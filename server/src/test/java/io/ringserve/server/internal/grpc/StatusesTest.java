package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.Status;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.server.model.ModelNotFoundException;
import org.junit.jupiter.api.Test;

class StatusesTest {
  private static final String RUN_FAILED = "model 'mlp' failed to run the batch";

  @Test
  void shouldAnswerInternalSayingWhatFailedForAFailureThatIsNotOurs() {
    Status npe = Statuses.statusOf(new NullPointerException(), "model 'mlp' failed to encode");
    Status ise =
        Statuses.statusOf(
            new IllegalStateException("buffer at io.ringserve.Foo"),
            "model 'mlp' failed to encode");

    assertEquals(Status.Code.INTERNAL, npe.getCode());
    assertEquals("model 'mlp' failed to encode", npe.getDescription());
    assertEquals(Status.Code.INTERNAL, ise.getCode());
    assertEquals("model 'mlp' failed to encode", ise.getDescription());
  }

  @Test
  void shouldNameTheModelAndKeepTheRunnersWordsForAModelError() {
    IllegalStateException engine = new IllegalStateException("Matrix size-incompatible");
    InferenceException failure =
        new InferenceException(Reason.MODEL_ERROR, engine.getMessage(), engine);

    Status status = Statuses.statusOf(failure, RUN_FAILED);

    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertEquals(RUN_FAILED + ": Matrix size-incompatible", status.getDescription());
  }

  @Test
  void shouldNeverSendAJavaClassNameForARunnerFailureWithoutAMessage() {
    // What the batcher makes of a runner's exception that has no message.
    NullPointerException bug = new NullPointerException();
    InferenceException failure =
        new InferenceException(Reason.MODEL_ERROR, bug.getClass().getName(), bug);

    Status status = Statuses.statusOf(failure, RUN_FAILED);

    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertEquals(RUN_FAILED, status.getDescription());
    assertFalse(status.getDescription().contains("java."), status.getDescription());
  }

  @Test
  void shouldPassOurOwnMessagesOnWithTheirCodes() {
    Status invalid =
        Statuses.statusOf(
            new InferenceException(Reason.INVALID_INPUT, "input 'INPUT0' has 3 elements"),
            RUN_FAILED);
    Status missing = Statuses.statusOf(new ModelNotFoundException("no model 'x'"), RUN_FAILED);
    Status ours =
        Statuses.statusOf(
            new InferenceException(Reason.MODEL_ERROR, "model runner returned no outputs"),
            RUN_FAILED);

    assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getCode());
    assertEquals("input 'INPUT0' has 3 elements", invalid.getDescription());
    assertEquals(Status.Code.NOT_FOUND, missing.getCode());
    assertEquals("no model 'x'", missing.getDescription());
    assertEquals(RUN_FAILED + ": model runner returned no outputs", ours.getDescription());
  }
}
