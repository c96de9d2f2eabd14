package io.ringserve.server.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.model.ModelLoadException;
import org.junit.jupiter.api.Test;

/** The {@code pad_batches_to} parameter of {@code config.pbtxt} becomes the batch policy's. */
class PadBatchesToParameterTest {
  private static ModelConfig config(String text) throws TextFormat.ParseException {
    return TextFormat.parse("name: \"m\"\n" + text, ModelConfig.class);
  }

  private static String padTo(String value) {
    return "parameters { key: \"pad_batches_to\" value: { string_value: \"" + value + "\" } }\n";
  }

  @Test
  void shouldPadBatchesToTheConfiguredRows() throws Exception {
    ModelConfig config = config("max_batch_size: 128\ndynamic_batching { }\n" + padTo("7"));

    assertEquals(7, ModelConfigs.batchPolicy(config).padBatchesTo());
  }

  @Test
  void shouldNotPadWithoutTheParameter() throws Exception {
    ModelConfig config = config("max_batch_size: 128\ndynamic_batching { }\n");

    assertEquals(0, ModelConfigs.batchPolicy(config).padBatchesTo());
  }

  @Test
  void shouldRefuseValuesThatAreNotRowCountsOfTheModel() throws Exception {
    for (String bad : new String[] {"seven", "0", "129", "-1"}) {
      ModelConfig config = config("max_batch_size: 128\ndynamic_batching { }\n" + padTo(bad));

      ModelLoadException error =
          assertThrows(ModelLoadException.class, () -> ModelConfigs.batchPolicy(config));
      assertTrue(error.getMessage().contains("pad_batches_to"), error.getMessage());
      assertTrue(error.getMessage().contains("model 'm'"), error.getMessage());
    }
  }

  @Test
  void shouldRefusePaddingForAModelThatIsNotDynamicallyBatched() throws Exception {
    ModelConfig config = config("max_batch_size: 128\n" + padTo("7"));

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> ModelConfigs.batchPolicy(config));
    assertTrue(error.getMessage().contains("needs max_batch_size > 0 and dynamic_batching"));
  }
}
