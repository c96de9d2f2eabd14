package io.ringserve.loadtest.compare;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.internal.ModelProbe;
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
 * run. That makes the echo the bare-gRPC baseline of a model's payload ({@code mlp}'s 3 KB requests
 * and 40-byte answers), not only of {@code simple}'s.
 *
 * <p>The batch dimension is the first input's leading {@code -1}, as the metadata of a model with a
 * {@code max_batch_size} shows it; outputs take it as their leading dimension, and any other
 * variable dimension is answered as 1. A model whose first input has a variable leading dimension
 * without batching is therefore answered as if batched, which gives the same bytes for the leading
 * sizes a load sends.
 *
 * <p>Answers are built once per batch size, for the first {@link #CACHED_BATCH_SIZES} sizes seen (a
 * load sends one or a few), so that a call allocates no output bytes, as the echo of inputs reuses
 * the request's. The bound is checked before each insert, so concurrent first sightings may pass it
 * by one per event loop. Thread-safe.
 */
final class MirroredModel {
  static final int CACHED_BATCH_SIZES = 64;

  /** The largest batch dimension answered: the echo is a baseline, not a place to allocate. */
  static final long MAX_BATCH = 65_536;

  private final ModelMetadataResponse metadata;
  private final boolean batched;
  private final List<OutputSpec> outputs;
  private final Map<Long, Answer> answers = new ConcurrentHashMap<>();

  /** One output's description, with its bytes per batch row resolved once. */
  private record OutputSpec(TensorMetadata metadata, long bytesPerRow) {}

  /** The outputs of one batch size: their descriptions and their zero-filled raw contents. */
  private record Answer(List<InferOutputTensor> outputs, List<ByteString> contents) {}

  /**
   * @throws IllegalArgumentException if an output's datatype is not a v2 datatype, or one batch row
   *     of the outputs would not fit in an array
   */
  MirroredModel(ModelMetadataResponse metadata) {
    this.metadata = metadata;
    this.batched =
        metadata.getInputsCount() > 0
            && metadata.getInputs(0).getShapeCount() > 0
            && metadata.getInputs(0).getShape(0) == -1;
    List<OutputSpec> specs = new ArrayList<>();
    for (TensorMetadata output : metadata.getOutputsList()) {
      DataType type = DataType.fromWireName(output.getDatatype());
      // A BYTES element is answered as an empty string: its 4-byte length prefix.
      long bytes = type.isFixedSize() ? type.byteSize() : 4;
      for (int i = batched ? 1 : 0; i < output.getShapeCount() && bytes <= Integer.MAX_VALUE; i++) {
        // Saturates instead of wrapping: any product past an array's size is refused below.
        bytes =
            Math.min(
                (long) Integer.MAX_VALUE + 1,
                bytes * Math.min(Math.max(1, output.getShape(i)), Integer.MAX_VALUE));
      }
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "output " + output.getName() + " of " + metadata.getName() + ": " + bytes + " bytes");
      }
      specs.add(new OutputSpec(output, bytes));
    }
    this.outputs = List.copyOf(specs);
  }

  /**
   * Each of {@code models} as the plain-text gRPC server at {@code target} describes it.
   *
   * @throws io.ringserve.loadtest.LoadTestException if the server cannot be reached or does not
   *     know one of them (the message says which)
   */
  static List<MirroredModel> fetch(Target target, List<String> models) throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(target.host(), target.port()).usePlaintext().build();
    try {
      List<MirroredModel> mirrored = new ArrayList<>();
      for (String model : models) {
        mirrored.add(new MirroredModel(new ModelProbe(channel, target, model, "").metadata()));
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
    List<InferOutputTensor> described = new ArrayList<>();
    List<ByteString> contents = new ArrayList<>();
    for (OutputSpec output : outputs) {
      InferOutputTensor.Builder tensor =
          InferOutputTensor.newBuilder()
              .setName(output.metadata().getName())
              .setDatatype(output.metadata().getDatatype());
      for (int i = 0; i < output.metadata().getShapeCount(); i++) {
        long dim = output.metadata().getShape(i);
        tensor.addShape(i == 0 && batched ? batch : Math.max(1, dim));
      }
      long bytes = output.bytesPerRow() * (batched ? batch : 1);
      if (bytes > Integer.MAX_VALUE) {
        throw Status.INVALID_ARGUMENT
            .withDescription("batch of " + batch + " answers over 2 GiB")
            .asRuntimeException();
      }
      described.add(tensor.build());
      contents.add(ByteString.copyFrom(new byte[(int) bytes]));
    }
    return new Answer(List.copyOf(described), List.copyOf(contents));
  }
}
