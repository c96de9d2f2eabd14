package io.ringserve.loadtest;

/**
 * How request tensors carry their data (KServe v2 allows both, never mixed in one request).
 *
 * <p>{@link #RAW} is what Triton's clients send and what servers decode fastest; {@link #TYPED}
 * exercises the server's typed-contents path. FP16 and BF16 have no typed field and need RAW.
 */
public enum ContentsMode {
  /** {@code raw_input_contents}: little-endian bytes, one entry per input. */
  RAW,
  /** {@code InferTensorContents}: one typed repeated field per input. */
  TYPED
}
