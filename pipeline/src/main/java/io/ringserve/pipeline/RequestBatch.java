package io.ringserve.pipeline;

import io.ringserve.batching.Tensor;
import io.ringserve.pipeline.ModelSignature.Spec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Consecutive input records that travel as one request: the records whose fields mapped give one
 * row each, the others carry their error. Filled by the reading thread, then handed (with the
 * request's future) to the writing thread through a queue, which orders the hand-off.
 */
final class RequestBatch {
  final List<SourceRecord> records = new ArrayList<>();
  final List<String> errors = new ArrayList<>(); // per record; null: it has a row
  final List<ByteBuffer[]> rows = new ArrayList<>();
  CompletableFuture<List<Tensor>> result;

  void addRow(SourceRecord record, ByteBuffer[] row) {
    records.add(record);
    errors.add(null);
    rows.add(row);
  }

  void addError(SourceRecord record, String error) {
    records.add(record);
    errors.add(error);
  }

  int size() {
    return records.size();
  }

  /** The request's inputs: every row of each input, concatenated along a new batch dimension. */
  List<Tensor> tensors(ModelSignature signature) {
    List<Tensor> tensors = new ArrayList<>();
    List<Spec> specs = signature.inputs();
    for (int i = 0; i < specs.size(); i++) {
      Spec spec = specs.get(i);
      int bytes = 0;
      for (ByteBuffer[] row : rows) {
        bytes += row[i].remaining();
      }
      ByteBuffer data = ByteBuffer.allocate(bytes);
      for (ByteBuffer[] row : rows) {
        data.put(row[i].duplicate());
      }
      data.flip();
      long[] shape;
      if (signature.batches()) {
        shape = new long[spec.dims().length + 1];
        shape[0] = rows.size();
        System.arraycopy(spec.dims(), 0, shape, 1, spec.dims().length);
      } else {
        shape = Arrays.copyOf(spec.dims(), spec.dims().length);
      }
      tensors.add(Tensor.of(spec.name(), spec.dataType(), shape, data));
    }
    return tensors;
  }
}
