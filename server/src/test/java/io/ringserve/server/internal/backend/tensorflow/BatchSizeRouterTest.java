package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchSizeRouterTest {
  /** Answers with its own index as a one-element tensor and remembers whether it was closed. */
  private static final class Numbered implements ModelRunner {
    final int index;
    boolean closed;

    Numbered(int index) {
      this.index = index;
    }

    @Override
    public List<Tensor> run(Batch batch) {
      ByteBuffer data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, index);
      return List.of(Tensor.of("RANGE", DataType.INT32, new long[] {1}, data));
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static int rangeThatRan(ModelRunner router, long rows) throws Exception {
    Tensor input =
        Tensor.of("IN", DataType.INT8, new long[] {rows}, ByteBuffer.allocate((int) rows));
    return router
        .run(Batch.direct(rows, List.of(input), Set.of()))
        .get(0)
        .data()
        .order(ByteOrder.LITTLE_ENDIAN)
        .getInt(0);
  }

  @Test
  void shouldRunEachBatchInTheSessionOfItsSizeRange() throws Exception {
    List<Numbered> runners = List.of(new Numbered(0), new Numbered(1), new Numbered(2));
    BatchSizeRouter router = new BatchSizeRouter(new long[] {7, 81}, new ArrayList<>(runners));

    assertEquals(0, rangeThatRan(router, 1));
    assertEquals(0, rangeThatRan(router, 6));
    assertEquals(1, rangeThatRan(router, 7));
    assertEquals(1, rangeThatRan(router, 80));
    assertEquals(2, rangeThatRan(router, 81));
    assertEquals(2, rangeThatRan(router, 128));
  }

  @Test
  void shouldCloseEveryRangesRunner() {
    List<Numbered> runners = List.of(new Numbered(0), new Numbered(1));
    BatchSizeRouter router = new BatchSizeRouter(new long[] {4}, new ArrayList<>(runners));

    router.close();

    assertTrue(runners.stream().allMatch(r -> r.closed));
  }

  @Test
  void shouldRefuseARunnerCountThatDoesNotMatchTheRanges() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchSizeRouter(new long[] {4}, List.of(new Numbered(0))));
  }
}
