package io.ringserve.server.internal.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.model.ModelLoadException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxOptionsTest {
  private static final int CORES = 8;

  @Test
  void shouldShareOneSessionWithEveryCoreAndNoSpinningByDefault() throws Exception {
    OnnxOptions shared = OnnxOptions.fromConfig(config(""), BackendOptions.DEFAULT, 4, CORES);

    assertTrue(shared.shareSession());
    assertEquals(CORES, shared.intraOpThreads());
    assertEquals(0, shared.interOpThreads());
    assertEquals(ExecutionMode.SEQUENTIAL, shared.executionMode());
    assertEquals(OptLevel.ALL_OPT, shared.optimizationLevel());
    assertNull(shared.memoryArena());
    assertNull(shared.memoryPattern());
    assertEquals(Map.of("session.intra_op.allow_spinning", "0"), shared.sessionConfig());
  }

  @Test
  void shouldSplitTheCoresAmongSessionsThatAreNotShared() throws Exception {
    String ownSessions = parameter("share_session_between_instances", "false");
    OnnxOptions one = OnnxOptions.fromConfig(config(ownSessions), BackendOptions.DEFAULT, 1, CORES);
    OnnxOptions three =
        OnnxOptions.fromConfig(config(ownSessions), BackendOptions.DEFAULT, 3, CORES);
    OnnxOptions many =
        OnnxOptions.fromConfig(config(ownSessions), BackendOptions.DEFAULT, 16, CORES);

    assertFalse(one.shareSession());
    assertEquals(8, one.intraOpThreads());
    assertEquals(2, three.intraOpThreads());
    assertEquals(1, many.intraOpThreads());
  }

  @Test
  void shouldPreferTheServerThreadsToTheDefaultAndTheConfigToBoth() throws Exception {
    BackendOptions server = new BackendOptions(3, 2);

    OnnxOptions fromServer = OnnxOptions.fromConfig(config(""), server, 4, CORES);
    OnnxOptions fromConfig =
        OnnxOptions.fromConfig(
            config(
                parameter("intra_op_thread_count", "5") + parameter("inter_op_thread_count", "0")),
            server,
            4,
            CORES);

    assertEquals(3, fromServer.intraOpThreads());
    assertEquals(2, fromServer.interOpThreads());
    assertEquals(5, fromConfig.intraOpThreads());
    assertEquals(0, fromConfig.interOpThreads());
  }

  @Test
  void shouldLeaveInterOpThreadsToOnnxRuntimeWhenTheServerRunsOperationsOnTheCaller()
      throws Exception {
    BackendOptions server = new BackendOptions(1, BackendOptions.CALLER_THREAD);

    OnnxOptions options = OnnxOptions.fromConfig(config(""), server, 1, CORES);

    assertEquals(0, options.interOpThreads());
    assertEquals(1, options.intraOpThreads());
  }

  @Test
  void shouldReadTritonsExecutionModeMemoryAndGraphLevelSettings() throws Exception {
    OnnxOptions options =
        OnnxOptions.fromConfig(
            config(
                parameter("execution_mode", "1")
                    + parameter("enable_mem_arena", "0")
                    + parameter("enable_mem_pattern", "true")
                    + parameter("session.intra_op.allow_spinning", "1")
                    + parameter("session.use_device_allocator_for_initializers", "1")
                    + parameter("unrelated", "x")
                    + "optimization { graph { level: -1 } }\n"),
            BackendOptions.DEFAULT,
            1,
            CORES);

    assertEquals(ExecutionMode.PARALLEL, options.executionMode());
    assertEquals(Boolean.FALSE, options.memoryArena());
    assertEquals(Boolean.TRUE, options.memoryPattern());
    assertEquals(OptLevel.BASIC_OPT, options.optimizationLevel());
    assertEquals(
        Map.of(
            "session.intra_op.allow_spinning", "1",
            "session.use_device_allocator_for_initializers", "1"),
        options.sessionConfig());
    assertEquals(OptLevel.EXTENDED_OPT, level(1));
    assertEquals(OptLevel.NO_OPT, level(2));
    assertEquals(OptLevel.ALL_OPT, level(0));
  }

  @Test
  void shouldRefuseValuesItDoesNotUnderstandNamingTheParameter() {
    assertRefused(parameter("intra_op_thread_count", "two"), "'intra_op_thread_count' to 'two'");
    assertRefused(parameter("inter_op_thread_count", "-1"), "'inter_op_thread_count' to '-1'");
    assertRefused(parameter("execution_mode", "fast"), "'execution_mode' to 'fast'");
    assertRefused(
        parameter("share_session_between_instances", "yes"),
        "'share_session_between_instances' to 'yes'");
    assertRefused("optimization { graph { level: 7 } }\n", "level: 7");
  }

  private static OptLevel level(int level) throws Exception {
    return OnnxOptions.fromConfig(
            config("optimization { graph { level: " + level + " } }\n"),
            BackendOptions.DEFAULT,
            1,
            CORES)
        .optimizationLevel();
  }

  private static void assertRefused(String configText, String message) {
    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> OnnxOptions.fromConfig(config(configText), BackendOptions.DEFAULT, 1, CORES));
    assertTrue(error.getMessage().contains("model 'm'"), error.getMessage());
    assertTrue(error.getMessage().contains(message), error.getMessage());
  }

  private static String parameter(String key, String value) {
    return "parameters { key: \"" + key + "\" value: { string_value: \"" + value + "\" } }\n";
  }

  private static ModelConfig config(String text) throws TextFormat.ParseException {
    ModelConfig.Builder config = ModelConfig.newBuilder();
    TextFormat.merge("name: \"m\"\n" + text, config);
    return config.build();
  }
}
