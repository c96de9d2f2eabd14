package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.ringserve.loadtest.LoadTestException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class InputLayoutsTest {
  private static ModelMetadataResponse model(long... shape) {
    TensorMetadata.Builder t = TensorMetadata.newBuilder().setName("X").setDatatype("FP32");
    for (long d : shape) {
      t.addShape(d);
    }
    return ModelMetadataResponse.newBuilder().setName("m").addInputs(t).build();
  }

  @Test
  void shouldPutTheBatchSizeInFrontForABatchingModel() {
    List<InputLayout> l =
        InputLayouts.resolve(model(-1, 784), OptionalInt.of(128), Map.of(), 8, false);

    assertArrayEquals(new long[] {8, 784}, l.get(0).wireShape());
    assertEquals(8 * 784, l.get(0).elements());
  }

  @Test
  void shouldTakeALeadingVariableDimensionAsTheBatchWhenTheConfigIsUnknown() {
    List<InputLayout> l =
        InputLayouts.resolve(model(-1, 4), OptionalInt.empty(), Map.of(), 1, false);

    assertArrayEquals(new long[] {1, 4}, l.get(0).wireShape());
  }

  @Test
  void shouldFillVariableDimensionsFromShape() {
    List<InputLayout> l =
        InputLayouts.resolve(
            model(-1, -1, 3), OptionalInt.of(4), Map.of("X", List.of(10L, 3L)), 2, false);

    assertArrayEquals(new long[] {2, 10, 3}, l.get(0).wireShape());
  }

  @Test
  void shouldAskForAShapeWhenADimensionIsVariable() {
    LoadTestException e =
        assertThrows(
            LoadTestException.class,
            () -> InputLayouts.resolve(model(-1, -1), OptionalInt.of(4), Map.of(), 1, false));

    assertTrue(e.getMessage().contains("give it with --shape X:N"), e.getMessage());
  }

  @Test
  void shouldRefuseABatchSizeTheModelCannotTake() {
    assertTrue(
        assertThrows(
                LoadTestException.class,
                () -> InputLayouts.resolve(model(4), OptionalInt.of(0), Map.of(), 2, false))
            .getMessage()
            .contains("has no batch dimension"));
    assertTrue(
        assertThrows(
                LoadTestException.class,
                () -> InputLayouts.resolve(model(-1, 4), OptionalInt.of(8), Map.of(), 16, false))
            .getMessage()
            .contains("max_batch_size 8"));
  }

  @Test
  void shouldRefuseAShapeOfTheWrongRank() {
    LoadTestException e =
        assertThrows(
            LoadTestException.class,
            () ->
                InputLayouts.resolve(
                    model(-1, 16), OptionalInt.of(8), Map.of("X", List.of(4L, 4L)), 1, false));

    assertTrue(e.getMessage().contains("needs 1 dimension(s)"), e.getMessage());
  }
}
