package io.ringserve.server.internal.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigWarningsTest {

  @Test
  void shouldNameEveryFieldRingServeDoesNotHonour() throws Exception {
    ModelConfig config =
        parse(
            "name: \"m\" backend: \"tensorflow\" max_batch_size: 8\n"
                + "response_cache { enable: true }\n"
                + "optimization { execution_accelerators { cpu_execution_accelerator [ { name:"
                + " \"openvino\" } ] } }\n"
                + "model_transaction_policy { decoupled: true }\n");

    assertEquals(
        List.of(
            "model_transaction_policy", "response_cache", "optimization.execution_accelerators"),
        ConfigWarnings.unhonoured(config));
  }

  @Test
  void shouldNotWarnAboutWhatIsHonoured() throws Exception {
    ModelConfig config =
        parse(
            "name: \"m\" backend: \"onnxruntime\" max_batch_size: 8 dynamic_batching { }\n"
                + "instance_group [ { count: 2 kind: KIND_CPU } ]\n"
                + "optimization { graph { level: 1 } }\n"
                + "model_warmup [ { name: \"w\" batch_size: 1 } ]\n"
                + "version_policy { latest { num_versions: 2 } }\n");

    assertEquals(List.of(), ConfigWarnings.unhonoured(config));
  }

  private static ModelConfig parse(String text) throws TextFormat.ParseException {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    TextFormat.merge(text, b);
    return b.build();
  }
}
