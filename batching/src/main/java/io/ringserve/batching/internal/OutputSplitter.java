package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.BytesFraming;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch's outputs back along dimension 0 so that each request gets exactly its own rows,
 * and only the outputs it asked for, in the runner's order.
 *
 * <p>No data is copied: a request's output is a read-only view of its rows in the runner's buffer.
 * Fixed-size rows are found by arithmetic; BYTES rows by walking length prefixes, O(elements).
 *
 * <p>Stateless and thread-safe.
 */
final class OutputSplitter {
  private OutputSplitter() {}

  /**
   * Checks that every output has {@code batchSize} rows.
   *
   * @throws InferenceException MODEL_ERROR naming the first output that does not
   */
  static void checkRows(List<Tensor> outputs, long batchSize) {
    for (int i = 0, n = outputs.size(); i < n; i++) {
      Tensor output = outputs.get(i);
      if (output.rank() == 0 || output.dim(0) != batchSize) {
        throw new InferenceException(
            Reason.MODEL_ERROR,
            "model output '"
                + output.name()
                + "' has "
                + (output.rank() == 0 ? "no batch dimension" : "dimension 0 of " + output.dim(0))
                + " but the batch has "
                + batchSize
                + " rows");
      }
    }
  }

  /** The outputs {@code request} asked for (all when it named none), in the runner's order. */
  static List<Tensor> wanted(InferenceRequest request, List<Tensor> outputs) {
    List<String> names = request.requestedOutputs();
    if (names.isEmpty()) {
      return outputs;
    }
    List<Tensor> mine = new ArrayList<>(names.size());
    for (int i = 0, n = outputs.size(); i < n; i++) {
      Tensor output = outputs.get(i);
      if (names.contains(output.name())) {
        mine.add(output);
      }
    }
    return mine;
  }

  /**
   * Splits {@code outputs}, whose rows have been {@link #checkRows checked}, into one list per
   * request.
   */
  static List<List<Tensor>> split(InferenceRequest[] requests, List<Tensor> outputs) {
    int outputCount = outputs.size();
    // Views by output, then by request (null where the request did not ask for that output).
    Tensor[][] byOutput = new Tensor[outputCount][];
    for (int o = 0; o < outputCount; o++) {
      Tensor output = outputs.get(o);
      byOutput[o] =
          output.dataType().isFixedSize()
              ? splitFixed(requests, output)
              : splitBytes(requests, output);
    }
    List<List<Tensor>> perRequest = new ArrayList<>(requests.length);
    for (int r = 0; r < requests.length; r++) {
      perRequest.add(gather(byOutput, r));
    }
    return perRequest;
  }

  /**
   * Request {@code r}'s views as an immutable list. With one output (the common model) that is a
   * single small list object per request, with no backing array.
   */
  private static List<Tensor> gather(Tensor[][] byOutput, int r) {
    if (byOutput.length == 1) {
      Tensor only = byOutput[0][r];
      return only == null ? List.of() : List.of(only);
    }
    int wanted = 0;
    for (Tensor[] views : byOutput) {
      if (views[r] != null) {
        wanted++;
      }
    }
    Tensor[] mine = new Tensor[wanted];
    int next = 0;
    for (Tensor[] views : byOutput) {
      if (views[r] != null) {
        mine[next++] = views[r];
      }
    }
    return List.of(mine);
  }

  /** Fixed-size rows: each request's rows are a trusted view, found by arithmetic. */
  private static Tensor[] splitFixed(InferenceRequest[] requests, Tensor output) {
    Tensor[] views = new Tensor[requests.length];
    String name = output.name();
    long row = 0;
    for (int r = 0; r < requests.length; r++) {
      InferenceRequest request = requests[r];
      long rows = request.batchSize();
      if (wants(request, name)) {
        views[r] = output.rows(row, rows);
      }
      row += rows;
    }
    return views;
  }

  /** BYTES rows: found by walking the length prefixes, and validated as any new tensor. */
  private static Tensor[] splitBytes(InferenceRequest[] requests, Tensor output) {
    Tensor[] views = new Tensor[requests.length];
    ByteBuffer data = output.data();
    long[] shape = output.shape();
    long rowElements = 1;
    for (int d = 1; d < shape.length; d++) {
      rowElements *= shape[d];
    }
    int offset = 0;
    for (int r = 0; r < requests.length; r++) {
      InferenceRequest request = requests[r];
      long rows = request.batchSize();
      data.limit(data.capacity()).position(offset);
      int length = BytesFraming.offsetAfter(data, rows * rowElements);
      if (wants(request, output.name())) {
        data.limit(data.capacity()).position(offset);
        data.limit(offset + length);
        shape[0] = rows;
        views[r] = Tensor.of(output.name(), output.dataType(), shape, data);
      }
      offset += length;
    }
    return views;
  }

  private static boolean wants(InferenceRequest request, String output) {
    List<String> names = request.requestedOutputs();
    return names.isEmpty() || names.contains(output);
  }
}
