package io.ringserve.loadtest.internal;

import inference.GrpcService.ModelMetadataResponse;
import io.ringserve.loadtest.ServerStats;
import java.util.OptionalInt;

/**
 * What the load generator asks the server about the model under load, over whichever protocol the
 * run uses: gRPC ({@link ModelProbe}) or REST ({@link HttpModelProbe}). Implementations are
 * thread-safe; each call is bounded by the target's connect timeout.
 */
public interface ServerProbe {
  /**
   * The model's metadata.
   *
   * @throws io.ringserve.loadtest.LoadTestException if the server is unreachable, the model
   *     unknown, or the call fails; the message says which
   */
  ModelMetadataResponse metadata();

  /** The model's {@code max_batch_size}, or empty if the server does not offer its config. */
  OptionalInt maxBatchSize();

  /**
   * The model's cumulative statistics summed over its versions, or {@code null} if the server does
   * not offer them.
   */
  ServerStats statistics();
}
