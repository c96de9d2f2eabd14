package io.ringserve.server.internal.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DirectModelTest {
  private static DirectModel load(String name) throws ModelLoadException {
    return DirectModel.load(
        ExampleRepository.path(),
        name,
        Backends.all(TestServers.pools()),
        BackendOptions.serverDefaults());
  }

  @Test
  void shouldTimeTheEngineAtTheBatchSizeAsked() throws Exception {
    try (DirectModel mlp = load("mlp")) {
      EngineTimer.Figures f =
          EngineTimer.measure(mlp, "mlp", 8, Duration.ofMillis(50), Duration.ofMillis(200));

      assertEquals(8, f.batch());
      assertTrue(f.runs() > 0, f.line());
      assertTrue(f.wallNanos() >= 200_000_000L, f.line());
      assertTrue(f.medianRunNanos() > 0 && f.medianRunNanos() <= f.wallNanos(), f.line());
      // Some of the process's CPU time went into the runs (the clock ticks at 10 ms at worst).
      assertTrue(f.cpuNanos() > 0, f.line());
      assertTrue(
          f.line().startsWith("engine model=mlp batch=8 runs=" + f.runs() + " median_us_per_run="),
          f.line());
      assertTrue(f.line().endsWith(" between_runs=none"), f.line());
    }
  }

  @Test
  void shouldPauseBetweenMeasuredRunsAndTimeTheRunsAlone() throws Exception {
    try (DirectModel mlp = load("mlp")) {
      EngineTimer.Figures f =
          EngineTimer.measure(
              mlp,
              "mlp",
              1,
              Duration.ofMillis(50),
              Duration.ofMillis(200),
              BetweenRuns.parse("park:20ms"));

      // 200 ms with 20 ms parked before each run: at most ten runs, and the runs alone are timed,
      // not the pauses.
      assertTrue(f.runs() >= 1 && f.runs() <= 10, f.line());
      assertTrue(f.wallNanos() >= f.runs() * 20_000_000L, f.line());
      assertTrue(f.runNanos() <= f.wallNanos() - f.runs() * 20_000_000L, f.line());
      assertTrue(f.medianRunNanos() > 0 && f.medianRunNanos() < 20_000_000L, f.line());
      assertTrue(f.line().endsWith(" between_runs=park:20000us"), f.line());
    }
  }

  @Test
  void shouldRunTheOnnxBackendToo() throws Exception {
    try (DirectModel onnx = load("simple_onnx")) {
      onnx.run(3);
      onnx.run(1);
    }
  }

  @Test
  void shouldRefuseWhatItCannotRun() throws Exception {
    try (DirectModel strings = load("simple_string")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> strings.run(1));
      assertTrue(e.getMessage().contains("BYTES input"), e.getMessage());
    }
    ModelLoadException missing = assertThrows(ModelLoadException.class, () -> load("nothing"));
    assertTrue(missing.getMessage().contains("no model 'nothing'"), missing.getMessage());
  }
}
