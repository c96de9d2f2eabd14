package io.ringserve.pipeline;

import io.ringserve.batching.Tensor;
import io.ringserve.pipeline.ModelSignature.Spec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Consecutive input records that travel as one request. The reading thread adds the records as
 * read; a mapping thread ({@link BatchMapper}) then replaces each with what its output needs and
 * either appends its row to the request's input buffers or sets its error; the writing thread reads
 * them after {@link #mapped} completes, which orders the hand-offs.
 */
final class RequestBatch {
  final List<SourceRecord> records = new ArrayList<>();
  final List<String> errors = new ArrayList<>(); // per record; null: it has a row
  private ByteBuffer[] data; // per input: the rows so far, written from position 0
  private int rows;
  CompletableFuture<Void> mapped;
  CompletableFuture<List<Tensor>> result;

  /** Adds a record as read, to be mapped. */
  void add(SourceRecord record) {
    records.add(record);
    errors.add(null);
  }

  int size() {
    return records.size();
  }

  /** Rows in the request (records that mapped). */
  int rows() {
    return rows;
  }

  /**
   * Input {@code input}'s buffer with room for {@code bytes} more, positioned where the next row
   * goes. Grows by doubling; sized for the whole batch on first use.
   */
  ByteBuffer room(int input, int inputs, int bytes) {
    if (data == null) {
      data = new ByteBuffer[inputs];
    }
    ByteBuffer b = data[input];
    if (b == null) {
      b =
          ByteBuffer.allocate(Math.max(bytes, bytes * records.size()))
              .order(ByteOrder.LITTLE_ENDIAN);
      data[input] = b;
    } else if (b.remaining() < bytes) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + bytes))
              .order(ByteOrder.LITTLE_ENDIAN);
      bigger.put(b.flip());
      data[input] = bigger;
      b = bigger;
    }
    return b;
  }

  /** Counts one more row, whose bytes are in every input's buffer. */
  void rowAdded() {
    rows++;
  }

  /** The request's inputs: every row of each input, concatenated along a new batch dimension. */
  List<Tensor> tensors(ModelSignature signature) {
    List<Tensor> tensors = new ArrayList<>();
    List<Spec> specs = signature.inputs();
    for (int i = 0; i < specs.size(); i++) {
      Spec spec = specs.get(i);
      ByteBuffer b = data == null || data[i] == null ? ByteBuffer.allocate(0) : data[i];
      ByteBuffer bytes = b.duplicate().flip().slice().order(ByteOrder.LITTLE_ENDIAN);
      long[] shape;
      if (signature.batches()) {
        shape = new long[spec.dims().length + 1];
        shape[0] = rows;
        System.arraycopy(spec.dims(), 0, shape, 1, spec.dims().length);
      } else {
        shape = Arrays.copyOf(spec.dims(), spec.dims().length);
      }
      tensors.add(Tensor.of(spec.name(), spec.dataType(), shape, bytes));
    }
    return tensors;
  }
}
