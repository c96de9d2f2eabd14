package io.ringserve.loadtest.compare;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.wire.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A model as the echo serves it: described by another server's {@code ModelMetadata} for it, and
 * answered with zero-filled outputs of the model's shapes at the request's batch size, so that a
 * call to the echo carries the bytes in and out that a call to the model carries, with no model
 * run. That makes the echo the bare-gRPC baseline of any model's payload ({@code mlp}'s 3 KB
 * requests and 40-byte answers), not only of {@code simple}'s.
 *
 * <p>The answers of the first {@link #CACHED_BATCH_SIZES} batch sizes seen are built once and
 * reused, as an echo that copies nothing would. Thread-safe.
 */
final class MirroredModel {
  /** Answers kept, by batch size; a load sends one or a few sizes. */
  static final int CACHED_BATCH_SIZES = 64;

  /** The largest batch dimension answered: the echo is a baseline, not a place to allocate. */
  static final long MAX_BATCH = 65_536;

  private final ModelMetadataResponse metadata;
  private final boolean batched;
  private final Map<Long, Answer> answers = new ConcurrentHashMap<>();

  /** The outputs of one batch size: their descriptions and their zero-filled raw contents. */
  private record Answer(List<InferOutputTensor> outputs, List<ByteString> contents) {}

  MirroredModel(ModelMetadataResponse metadata) {
    this.metadata = metadata;
    this.batched =
        metadata.getInputsCount() > 0
            && metadata.getInputs(0).getShapeCount() > 0
            && metadata.getInputs(0).getShape(0) == -1;
  }

  /**
   * Each of {@code models} as the server at {@code host:port} (plain text) describes it.
   *
   * @throws io.grpc.StatusRuntimeException if the server cannot be reached or does not know one
   */
  static List<MirroredModel> fetch(String host, int port, List<String> models)
      throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      List<MirroredModel> mirrored = new ArrayList<>();
      for (String model : models) {
        mirrored.add(
            new MirroredModel(
                GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build())));
      }
      return mirrored;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  String name() {
    return metadata.getName();
  }

  ModelMetadataResponse metadata() {
    return metadata;
  }

  /**
   * Adds the model's outputs for {@code request}'s batch size to {@code reply}.
   *
   * @throws io.grpc.StatusRuntimeException {@code INVALID_ARGUMENT} for a batch dimension below 1
   *     or above {@link #MAX_BATCH}
   */
  void answer(ModelInferRequest request, ModelInferResponse.Builder reply) {
    long batch = batchOf(request);
    Answer answer = answers.get(batch);
    if (answer == null) {
      answer = build(batch);
      if (answers.size() < CACHED_BATCH_SIZES) {
        answers.putIfAbsent(batch, answer);
      }
    }
    reply.addAllOutputs(answer.outputs()).addAllRawOutputContents(answer.contents());
  }

  private long batchOf(ModelInferRequest request) {
    if (!batched) {
      return 1;
    }
    long batch =
        request.getInputsCount() > 0 && request.getInputs(0).getShapeCount() > 0
            ? request.getInputs(0).getShape(0)
            : 1;
    if (batch < 1 || batch > MAX_BATCH) {
      throw Status.INVALID_ARGUMENT
          .withDescription("batch dimension " + batch + " outside 1.." + MAX_BATCH)
          .asRuntimeException();
    }
    return batch;
  }

  private Answer build(long batch) {
    List<InferOutputTensor> outputs = new ArrayList<>();
    List<ByteString> contents = new ArrayList<>();
    for (TensorMetadata output : metadata.getOutputsList()) {
      InferOutputTensor.Builder tensor =
          InferOutputTensor.newBuilder()
              .setName(output.getName())
              .setDatatype(output.getDatatype());
      long elements = 1;
      for (int i = 0; i < output.getShapeCount(); i++) {
        // The batch dimension takes the request's size; any other variable dimension is 1.
        long dim = output.getShape(i) >= 0 ? output.getShape(i) : (i == 0 && batched ? batch : 1);
        tensor.addShape(dim);
        elements *= dim;
      }
      DataType type = DataType.fromWireName(output.getDatatype());
      // A BYTES element is answered as an empty string: its 4-byte length prefix.
      long bytes = elements * (type.isFixedSize() ? type.byteSize() : 4);
      outputs.add(tensor.build());
      contents.add(ByteString.copyFrom(new byte[Math.toIntExact(bytes)]));
    }
    return new Answer(List.copyOf(outputs), List.copyOf(contents));
  }
}
