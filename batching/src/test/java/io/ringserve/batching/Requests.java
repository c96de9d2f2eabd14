package io.ringserve.batching;

import java.util.List;

/** Builds requests for tests. */
final class Requests {
  private Requests() {}

  /** A request with one INT32 input {@code IN} of shape [rows, cols] encoding {@code number}. */
  static InferenceRequest.Builder rows(String id, int number, int rows, int cols, Answer answer) {
    return InferenceRequest.builder()
        .id(id)
        .inputs(List.of(Tensors.encoded("IN", number, rows, cols)))
        .callback(answer);
  }

  /** A one-row, two-column request. */
  static InferenceRequest.Builder one(String id, Answer answer) {
    return rows(id, 0, 1, 2, answer);
  }
}
