package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.model.ModelLoadException;
import org.junit.jupiter.api.Test;

class SessionBoundariesTest {
  private static ModelConfig config(int maxBatchSize, String value) throws Exception {
    String text = "name: \"m\"\nmax_batch_size: " + maxBatchSize + "\n";
    if (value != null) {
      text +=
          "parameters { key: \"split_sessions_at_batch_sizes\" value: { string_value: \""
              + value
              + "\" } }\n";
    }
    return TextFormat.parse(text, ModelConfig.class);
  }

  @Test
  void shouldReadIncreasingBatchSizes() throws Exception {
    assertArrayEquals(new long[] {7, 81}, SessionBoundaries.fromConfig(config(128, "7,81")));
    assertArrayEquals(new long[] {2, 128}, SessionBoundaries.fromConfig(config(128, " 2 , 128 ")));
  }

  @Test
  void shouldUseOneSessionWithoutTheParameter() throws Exception {
    assertArrayEquals(new long[0], SessionBoundaries.fromConfig(config(128, null)));
  }

  @Test
  void shouldRefuseValuesThatAreNotIncreasingBatchSizesOfTheModel() throws Exception {
    for (String bad : new String[] {"", "seven", "81,7", "7,7", "1", "0", "129", "7,,81"}) {
      ModelConfig config = config(128, bad);

      ModelLoadException error =
          assertThrows(ModelLoadException.class, () -> SessionBoundaries.fromConfig(config), bad);
      assertTrue(error.getMessage().contains("split_sessions_at_batch_sizes"), error.getMessage());
      assertTrue(error.getMessage().contains("model 'm'"), error.getMessage());
    }
  }

  @Test
  void shouldRefuseTheParameterForAModelThatDoesNotBatch() throws Exception {
    ModelConfig config = config(0, "7");

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> SessionBoundaries.fromConfig(config));
    assertTrue(error.getMessage().contains("max_batch_size > 0"), error.getMessage());
  }
}
