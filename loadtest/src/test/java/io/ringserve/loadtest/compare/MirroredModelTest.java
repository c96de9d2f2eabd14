package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers of models the echo mirrors, from hand-built metadata: shapes, bytes, refusals. */
class MirroredModelTest {
  private static TensorMetadata tensor(String name, String datatype, long... shape) {
    TensorMetadata.Builder t = TensorMetadata.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      t.addShape(d);
    }
    return t.build();
  }

  private static ModelMetadataResponse model(TensorMetadata input, TensorMetadata... outputs) {
    return ModelMetadataResponse.newBuilder()
        .setName("m")
        .addInputs(input)
        .addAllOutputs(List.of(outputs))
        .build();
  }

  private static ModelInferRequest request(long... shape) {
    InferInputTensor.Builder input =
        InferInputTensor.newBuilder().setName("IN").setDatatype("FP32");
    for (long d : shape) {
      input.addShape(d);
    }
    return ModelInferRequest.newBuilder().setModelName("m").addInputs(input).build();
  }

  private static ModelInferResponse answer(MirroredModel model, ModelInferRequest request) {
    ModelInferResponse.Builder reply = ModelInferResponse.newBuilder();
    model.answer(request, reply);
    return reply.build();
  }

  @Test
  void answersABatchedModelsOutputsAtTheRequestsBatchSizeWithOtherVariableDimensionsAsOne() {
    MirroredModel model =
        new MirroredModel(
            model(
                tensor("IN", "FP32", -1, 8),
                tensor("SCORES", "FP64", -1, 3, -1),
                tensor("LABELS", "BYTES", -1, 2)));

    ModelInferResponse reply = answer(model, request(5, 8));

    assertEquals(List.of(5L, 3L, 1L), reply.getOutputs(0).getShapeList());
    assertEquals("FP64", reply.getOutputs(0).getDatatype());
    assertEquals(5 * 3 * Double.BYTES, reply.getRawOutputContents(0).size());
    // BYTES elements answered as empty strings: a 4-byte length prefix each.
    assertEquals(List.of(5L, 2L), reply.getOutputs(1).getShapeList());
    assertEquals(5 * 2 * 4, reply.getRawOutputContents(1).size());
    assertEquals(ByteString.copyFrom(new byte[5 * 2 * 4]), reply.getRawOutputContents(1));
  }

  @Test
  void answersAModelWithoutABatchDimensionWithItsFixedShapes() {
    MirroredModel model =
        new MirroredModel(model(tensor("IN", "FP32", 4), tensor("OUT", "INT16", 2, 3)));

    ModelInferResponse reply = answer(model, request(4));

    assertEquals(List.of(2L, 3L), reply.getOutputs(0).getShapeList());
    assertEquals(2 * 3 * 2, reply.getRawOutputContents(0).size());
  }

  @Test
  void buildsEachBatchSizesAnswerOnce() {
    MirroredModel model =
        new MirroredModel(model(tensor("IN", "FP32", -1, 4), tensor("OUT", "FP32", -1, 10)));

    ByteString first = answer(model, request(7, 4)).getRawOutputContents(0);

    assertSame(first, answer(model, request(7, 4)).getRawOutputContents(0));
    assertEquals(3 * 40, answer(model, request(3, 4)).getRawOutputContents(0).size());
  }

  @Test
  void refusesABatchDimensionOutOfRange() {
    MirroredModel model =
        new MirroredModel(model(tensor("IN", "FP32", -1, 4), tensor("OUT", "FP32", -1, 10)));

    for (long batch : new long[] {0, -3, MirroredModel.MAX_BATCH + 1}) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> answer(model, request(batch, 4)));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
  }

  @Test
  void refusesAtStartAModelItCouldNotAnswer() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new MirroredModel(model(tensor("IN", "FP32", -1, 4), tensor("OUT", "FP128", -1))));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MirroredModel(
                model(tensor("IN", "FP32", -1, 4), tensor("OUT", "FP32", -1, 1 << 20, 1 << 20))));
  }
}
