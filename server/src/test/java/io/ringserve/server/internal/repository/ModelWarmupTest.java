package io.ringserve.server.internal.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.ModelRunner;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelWarmupTest {
  private static final String SAMPLE_INPUT =
      " inputs { key: \"INPUT0\" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } }";

  private final List<Long> batchSizes = new ArrayList<>();
  private final ModelRunner recorder =
      batch -> {
        batchSizes.add(batch.size());
        return List.of();
      };

  private static ModelConfig config(int maxBatchSize, String... samples) throws Exception {
    StringBuilder text = new StringBuilder("name: \"m\" max_batch_size: " + maxBatchSize + "\n");
    for (String sample : samples) {
      text.append("model_warmup [ { ").append(sample).append(SAMPLE_INPUT).append(" } ]\n");
    }
    return TextFormat.parse(text.toString(), ModelConfig.class);
  }

  @Test
  void shouldWarmEveryBatchSizeRangeATritonStyleBatchOneSampleLeavesCold() throws Exception {
    // A Triton user's config warms batch size 1; the model has sessions for 1-6, 7-80 and 81+.
    ModelConfig config = config(128, "name: \"one\" batch_size: 1 count: 2");

    ModelWarmup.run(config, Path.of("unused"), List.of(recorder), new long[] {7, 81});

    assertEquals(List.of(1L, 1L, 7L, 7L, 81L, 81L), batchSizes);
  }

  @Test
  void shouldRunOnlyTheConfiguredSamplesWhenTheyCoverEveryRange() throws Exception {
    ModelConfig config =
        config(
            128,
            "name: \"small\" batch_size: 2",
            "name: \"mid\" batch_size: 32",
            "name: \"large\" batch_size: 128");

    ModelWarmup.run(config, Path.of("unused"), List.of(recorder), new long[] {7, 81});

    assertEquals(List.of(2L, 32L, 128L), batchSizes);
  }

  @Test
  void shouldAddNothingForAModelWithOneRangeOrWithoutSamples() throws Exception {
    ModelWarmup.run(
        config(128, "name: \"one\" batch_size: 1"),
        Path.of("unused"),
        List.of(recorder),
        new long[0]);
    ModelWarmup.run(config(128), Path.of("unused"), List.of(recorder), new long[] {7, 81});

    assertEquals(List.of(1L), batchSizes);
  }

  @Test
  void shouldNotWarmARangeBeyondMaxBatchSize() throws Exception {
    // A config override can lower max_batch_size below a session boundary of the parameter.
    assertEquals(
        List.of(7L),
        ModelWarmup.uncoveredRangeStarts(
            config(16, "name: \"one\" batch_size: 1"), new long[] {7, 81}));
  }

  @Test
  void shouldFailTheLoadNamingTheSampleAndTheBatchSizeThatFailed() throws Exception {
    ModelRunner failsAboveOneRow =
        batch -> {
          if (batch.size() > 1) {
            throw new IllegalStateException("out of memory");
          }
          return List.of();
        };

    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () ->
                ModelWarmup.run(
                    config(128, "name: \"one\" batch_size: 1"),
                    Path.of("unused"),
                    List.of(failsAboveOneRow),
                    new long[] {7}));

    assertTrue(
        e.getMessage().contains("warmup sample 'one' at batch size 7 failed: out of memory"),
        e.getMessage());
  }
}
