package io.ringserve.client.internal;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import io.ringserve.client.InferRequest;
import io.ringserve.client.Tensor;
import io.ringserve.proto.ProtoContents;
import io.ringserve.wire.DataType;
import io.ringserve.wire.TypedContents;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link InferRequest} to {@code ModelInferRequest}, and {@code ModelInferResponse} outputs to
 * {@link Tensor}s. Raw tensor bytes are shared with the messages, not copied. Stateless.
 */
public final class InferCodec {
  private InferCodec() {}

  /** The protocol message for {@code request}, with {@code id} in place of the request's own. */
  public static ModelInferRequest encode(InferRequest request, String id) {
    ModelInferRequest.Builder b =
        ModelInferRequest.newBuilder()
            .setModelName(request.model())
            .setModelVersion(request.version())
            .setId(id)
            .putAllParameters(request.parameters());
    for (Tensor t : request.inputs()) {
      ModelInferRequest.InferInputTensor.Builder input =
          b.addInputsBuilder().setName(t.name()).setDatatype(t.dataType().wireName());
      for (long d : t.shape()) {
        input.addShape(d);
      }
      if (request.typedContents()) {
        input.setContents(typed(t));
      } else {
        b.addRawInputContents(t.rawData());
      }
    }
    for (String output : request.outputs()) {
      b.addOutputsBuilder().setName(output);
    }
    return b.build();
  }

  /**
   * The output tensors of a response, from raw contents when present, typed contents otherwise.
   *
   * @throws IllegalStateException if the response is malformed; the message names the output
   */
  public static List<Tensor> decodeOutputs(ModelInferResponse response) {
    boolean raw = response.getRawOutputContentsCount() > 0;
    if (raw && response.getRawOutputContentsCount() != response.getOutputsCount()) {
      throw new IllegalStateException(
          "response has "
              + response.getOutputsCount()
              + " output(s) but "
              + response.getRawOutputContentsCount()
              + " raw_output_contents entries");
    }
    List<Tensor> outputs = new ArrayList<>(response.getOutputsCount());
    for (int i = 0; i < response.getOutputsCount(); i++) {
      InferOutputTensor o = response.getOutputs(i);
      long[] shape = o.getShapeList().stream().mapToLong(Long::longValue).toArray();
      DataType type;
      try {
        type = DataType.fromWireName(o.getDatatype());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("output " + o.getName() + ": " + e.getMessage(), e);
      }
      try {
        if (raw) {
          if (o.hasContents() && !isEmpty(o.getContents())) {
            throw new IllegalStateException(
                "output " + o.getName() + " has typed contents in a response with raw contents");
          }
          outputs.add(Tensor.ofRaw(o.getName(), type, response.getRawOutputContents(i), shape));
        } else {
          long count = Shapes.elementCount(o.getName(), shape);
          outputs.add(
              Tensor.ofRaw(
                  o.getName(), type, typedToRaw(o.getName(), type, o.getContents(), count), shape));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("malformed response: " + e.getMessage(), e);
      }
    }
    return outputs;
  }

  private static InferTensorContents typed(Tensor t) {
    if (!TypedContents.hasTypedField(t.dataType())) {
      throw new IllegalArgumentException(
          "tensor "
              + t.name()
              + ": "
              + t.dataType()
              + " has no typed field; send it as raw contents");
    }
    return ProtoContents.toProto(
        TypedContents.fromRaw(
            t.name(), t.dataType(), t.rawData().asReadOnlyByteBuffer(), t.elementCount()));
  }

  private static ByteString typedToRaw(
      String output, DataType type, InferTensorContents contents, long count) {
    try {
      return ProtoContents.wrapOwned(
          TypedContents.toRaw(type, ProtoContents.view(contents), count));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("output " + output + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(InferTensorContents c) {
    return c.getSerializedSize() == 0;
  }
}
