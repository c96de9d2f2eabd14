package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.server.model.ModelNotFoundException;
import io.ringserve.server.model.ModelUnavailableException;
import org.junit.jupiter.api.Test;

class StatusesTest {
  private static final String RUN_FAILED = "model 'mlp' failed to run the batch";
  private static final String ID = " \\(error id [0-9a-f]{8}\\)";
  private static final String ENCODE_FAILED_WITH_ID = "model 'mlp' failed to encode" + ID;
  private static final String RUN_FAILED_WITH_ID = "model 'mlp' failed to run the batch" + ID;

  @Test
  void shouldAnswerAQueueTimeoutAsTritonDoesAndAPassedDeadlineAsGrpcDoes() {
    Status queueTimeout =
        Statuses.statusOf(
            new InferenceException(Reason.TIMEOUT, "Request timeout expired"), RUN_FAILED);
    Status deadline =
        Statuses.statusOf(
            new InferenceException(
                Reason.DEADLINE_EXCEEDED, "the request's deadline passed before it ran"),
            RUN_FAILED);
    Status queueFull =
        Statuses.statusOf(new InferenceException(Reason.QUEUE_FULL, "queue full"), RUN_FAILED);

    assertEquals(Status.Code.UNAVAILABLE, queueTimeout.getCode());
    assertEquals("Request timeout expired", queueTimeout.getDescription());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, deadline.getCode());
    assertEquals(Status.Code.UNAVAILABLE, queueFull.getCode());
    // Retry policies must not retry a request that already waited its queue timeout out; a full
    // queue they may.
    assertEquals("-1", Statuses.trailersOf(queueTimeout).get(Statuses.RETRY_PUSHBACK_MS));
    assertNull(Statuses.trailersOf(queueFull));
    assertNull(Statuses.trailersOf(deadline));
  }

  @Test
  void shouldAnswerInternalSayingWhatFailedForAFailureThatIsNotOurs() {
    Status npe = Statuses.statusOf(new NullPointerException(), "model 'mlp' failed to encode");
    Status ise =
        Statuses.statusOf(
            new IllegalStateException("buffer at io.ringserve.Foo"),
            "model 'mlp' failed to encode");

    assertEquals(Status.Code.INTERNAL, npe.getCode());
    assertTrue(npe.getDescription().matches(ENCODE_FAILED_WITH_ID), npe.getDescription());
    assertEquals(Status.Code.INTERNAL, ise.getCode());
    assertTrue(ise.getDescription().matches(ENCODE_FAILED_WITH_ID), ise.getDescription());
    assertNotEquals(npe.getDescription(), ise.getDescription(), "each failure its own id");
  }

  @Test
  void shouldNameTheModelAndKeepTheEnginesWordsForTheLogUnderAnErrorId() {
    // An engine's words may carry graph node names, paths or request data.
    IllegalStateException engine =
        new IllegalStateException("Matrix size-incompatible: In[0]: [1,7] node dense/MatMul");
    InferenceException failure =
        new InferenceException(Reason.MODEL_ERROR, engine.getMessage(), engine);

    Status status = Statuses.statusOf(failure, RUN_FAILED);
    // The other requests of the same batch fail with the same exception: one id, one log line.
    Status sameBatch = Statuses.statusOf(failure, RUN_FAILED);

    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertTrue(status.getDescription().matches(RUN_FAILED_WITH_ID), status.getDescription());
    assertFalse(status.getDescription().contains("MatMul"), status.getDescription());
    assertEquals(status.getDescription(), sameBatch.getDescription());
  }

  @Test
  void shouldCutAbsolutePathsAndLongNamesFromMessagesSentToClients() {
    Status unavailable =
        Statuses.statusOf(
            new ModelUnavailableException(
                "model 'mlp' version 1 is not available: cannot read"
                    + " /home/ops/secret/repo/mlp/config.pbtxt"),
            RUN_FAILED);
    Status missing =
        Statuses.statusOf(
            new ModelNotFoundException("no model '" + "x".repeat(5000) + "'"), RUN_FAILED);

    assertEquals(
        "model 'mlp' version 1 is not available: cannot read mlp/config.pbtxt",
        unavailable.getDescription());
    assertTrue(missing.getDescription().length() < 300, missing.getDescription());
    assertTrue(missing.getDescription().contains("(5000 characters)"), missing.getDescription());
  }

  @Test
  void shouldNeverSendAJavaClassNameForARunnerFailureWithoutAMessage() {
    // What the batcher makes of a runner's exception that has no message.
    NullPointerException bug = new NullPointerException();
    InferenceException failure =
        new InferenceException(Reason.MODEL_ERROR, bug.getClass().getName(), bug);

    Status status = Statuses.statusOf(failure, RUN_FAILED);

    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertTrue(status.getDescription().matches(RUN_FAILED_WITH_ID), status.getDescription());
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
