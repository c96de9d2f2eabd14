package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Bytes answered inside a batch go back to their budgets once, when the batch ends. */
class BatchedReleaseTest {
  private final TensorBytesBudget server = new TensorBytesBudget("--server-limit", 1_000, null);
  private final TensorBytesBudget model = new TensorBytesBudget("--model-limit", 500, server);
  private final TensorBytesBudget other = new TensorBytesBudget("--model-limit", 500, server);

  @Test
  void shouldGiveBackAtOnceOutsideABatch() {
    assertNull(model.tryAcquire(40));
    BatchedRelease.release(model, 40);
    assertEquals(0, model.usedBytes());
    assertEquals(0, server.usedBytes());
  }

  @Test
  void shouldGiveBackABatchsBytesWhenItsAnswersEnd() {
    assertNull(model.tryAcquire(100));
    try (BatchAnswers answering = BatchAnswers.open()) {
      BatchedRelease.release(model, 30);
      BatchedRelease.release(model, 70);
      assertEquals(100, model.usedBytes(), "held until the batch's answers end");
    }
    assertEquals(0, model.usedBytes());
    assertEquals(0, server.usedBytes(), "the parent's share too");
  }

  @Test
  void shouldGiveEachBudgetItsOwnBytesWhenOneBatchOwesTwo() {
    assertNull(model.tryAcquire(100));
    assertNull(other.tryAcquire(50));
    try (BatchAnswers answering = BatchAnswers.open()) {
      BatchedRelease.release(model, 60);
      BatchedRelease.release(other, 50);
      BatchedRelease.release(model, 40);
    }
    assertEquals(0, model.usedBytes());
    assertEquals(0, other.usedBytes());
    assertEquals(0, server.usedBytes());
  }

  @Test
  void shouldGiveBackEachBatchSeparately() {
    assertNull(model.tryAcquire(30));
    try (BatchAnswers answering = BatchAnswers.open()) {
      BatchedRelease.release(model, 10);
    }
    assertEquals(20, model.usedBytes());
    try (BatchAnswers answering = BatchAnswers.open()) {
      BatchedRelease.release(model, 20);
    }
    assertEquals(0, model.usedBytes());
    BatchedRelease.release(model, 0);
    assertEquals(0, model.usedBytes(), "nothing left owed from the earlier batches");
  }
}
