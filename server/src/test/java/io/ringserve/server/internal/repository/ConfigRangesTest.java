package io.ringserve.server.internal.repository;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A config is input from whoever writes the repository (or sends a load request): numbers that size
 * threads, arrays or timers are refused out of range with the field named, before anything loads,
 * and the model file must stay in its version folder.
 */
class ConfigRangesTest {
  private static ModelConfig config(String text) throws TextFormat.ParseException {
    return TextFormat.parse("name: \"m\"\n" + text, ModelConfig.class);
  }

  @Test
  void shouldAcceptWhatRealModelsAsk() throws Exception {
    assertDoesNotThrow(
        () ->
            ConfigRanges.check(
                "m",
                config(
                    "max_batch_size: 128 dynamic_batching { preferred_batch_size: [ 32, 64 ]"
                        + " max_queue_delay_microseconds: 500 priority_levels: 2"
                        + " default_priority_level: 1 default_queue_policy { max_queue_size: 64"
                        + " default_timeout_microseconds: 1000000 } }"
                        + " instance_group [ { count: 4 } ]")));
  }

  @Test
  void shouldRefuseNumbersThatWouldExhaustOrOverflowNamingTheField() throws Exception {
    Map<String, String> refused =
        Map.of(
            "max_batch_size: 300000000",
            "max_batch_size must be between 0 and 1048576",
            "max_batch_size: 2147483647",
            "max_batch_size",
            "instance_group [ { count: 5000 } ]",
            "instance_group count must be between 0 and 256",
            "instance_group [ { count: 200 }, { count: 200 } ]",
            "the instance_group counts together",
            "max_batch_size: 8 dynamic_batching { priority_levels: 2147483648 }",
            "priority_levels must be between 0 and 1024, got 2147483648",
            "max_batch_size: 8 dynamic_batching { max_queue_delay_microseconds: 18446744073709551615 }",
            "max_queue_delay_microseconds must be between 0 and 3600000000, got"
                + " 18446744073709551615",
            "max_batch_size: 8 dynamic_batching { default_queue_policy {"
                + " default_timeout_microseconds: 9223372036854775807 } }",
            "default_timeout_microseconds",
            "max_batch_size: 8 dynamic_batching { preferred_batch_size: [ 2000000 ] }",
            "preferred_batch_size",
            "model_warmup [ { name: \"w\" batch_size: 1 count: 2147483647 } ]",
            "model_warmup count must be between 0 and 1000",
            "model_warmup [ { name: \"w\" batch_size: 8 inputs { key: \"IN\" value: {"
                + " data_type: TYPE_FP32 dims: [ 100000, 100000 ] zero_data: true } } } ]",
            "model_warmup input 'IN' elements");
    for (Map.Entry<String, String> c : refused.entrySet()) {
      ModelLoadException e =
          assertThrows(
              ModelLoadException.class,
              () -> ConfigRanges.check("m", config(c.getKey())),
              c.getKey());
      assertTrue(e.getMessage().startsWith("model 'm': "), e.getMessage());
      assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + ": " + e.getMessage());
    }
  }

  @Test
  void shouldShowASignedFieldsNegativeValueAsItIs() {
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () -> ConfigRanges.check("m", config("instance_group [ { count: -1 } ]")));

    assertTrue(e.getMessage().endsWith("must be between 0 and 256, got -1"), e.getMessage());
  }

  @Test
  void shouldKeepTheModelFileInsideItsVersionFolder() throws Exception {
    Path version = Path.of("/repo/m/1");

    assertEquals(
        Path.of("/repo/m/1/model.savedmodel"),
        ConfigRanges.modelFile("m", version, "model.savedmodel"));
    assertEquals(
        Path.of("/repo/m/1/sub/x.onnx"), ConfigRanges.modelFile("m", version, "sub/x.onnx"));
    for (String outside : new String[] {"/etc/passwd", "../../other/1/model.onnx", "a/../../x"}) {
      ModelLoadException e =
          assertThrows(
              ModelLoadException.class, () -> ConfigRanges.modelFile("m", version, outside));
      assertTrue(
          e.getMessage().contains("default_model_filename must name a file inside the version"),
          e.getMessage());
      assertTrue(!e.getMessage().contains("exist"), "says nothing of what exists: " + e);
    }
  }
}
