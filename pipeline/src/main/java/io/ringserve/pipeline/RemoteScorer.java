package io.ringserve.pipeline;

import com.google.protobuf.UnsafeByteOperations;
import io.ringserve.batching.Tensor;
import io.ringserve.client.InferRequest;
import io.ringserve.client.InferResult;
import io.ringserve.client.RingServeClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A model on a KServe v2 gRPC server (RingServe, Triton, any other), called through the Java client
 * with raw tensor contents. The caller bounds the requests in flight, so requests are pipelined on
 * one connection without growing either side's memory.
 *
 * <p>Thread-safe, as the client is.
 */
public final class RemoteScorer implements Scorer {
  private final RingServeClient client;
  private final ModelSignature signature;
  private final String target;

  private RemoteScorer(RingServeClient client, ModelSignature signature, String target) {
    this.client = client;
    this.signature = signature;
    this.target = target;
  }

  /**
   * Connects to {@code target} (HOST:PORT) and reads the model's config.
   *
   * @throws io.ringserve.client.RingServeException if the server cannot be reached or does not know
   *     the model
   */
  public static RemoteScorer connect(
      String target, String model, String version, Duration deadline) {
    // Answers complete on the transport thread: the only callback is a wrap of the response's
    // bytes (outputs), and the writer thread waits on the future, so a hand-off to another pool
    // per answer would be work for nothing on a scorer that shares its cores with the model.
    RingServeClient client =
        RingServeClient.builder()
            .target(target)
            .defaultDeadline(deadline)
            .executor(Runnable::run)
            .build();
    try {
      ModelSignature signature = ModelSignature.of(client.modelConfig(model, version), version);
      return new RemoteScorer(client, signature, target);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
    InferRequest.Builder request = InferRequest.builder(signature.model());
    if (!signature.version().isEmpty()) {
      request.version(signature.version());
    }
    // No copy of the rows: the batch's buffers are written once and never changed after sending.
    for (Tensor t : inputs) {
      request.input(
          io.ringserve.client.Tensor.ofRaw(
              t.name(), t.dataType(), UnsafeByteOperations.unsafeWrap(t.data()), t.shape()));
    }
    return client.inferAsync(request.build()).thenApply(RemoteScorer::outputs);
  }

  private static List<Tensor> outputs(InferResult result) {
    List<Tensor> outputs = new ArrayList<>();
    for (io.ringserve.client.Tensor t : result.outputList()) {
      ByteBuffer data = t.rawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      outputs.add(Tensor.of(t.name(), t.dataType(), t.shape(), data));
    }
    return outputs;
  }

  @Override
  public String describe() {
    return "model '" + signature.model() + "' on " + target;
  }

  @Override
  public void close() {
    client.close();
  }
}
