package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoalsTest {
  private static Sample server(double rps, double ips, double p50, double cpu, double batch) {
    return new Sample(rps, ips, p50, cpu, 5, batch, 0);
  }

  private static Sample echo(double rps, double cpu) {
    return new Sample(rps, rps, 300, cpu, 5, Double.NaN, 0);
  }

  @Test
  void shouldSubtractTheEnginesCostAndCompareWithTheEchoPerRound() {
    Goals goals = new Goals();
    for (double serverCpu : new double[] {20, 26}) {
      Map<String, Sample> runs = new LinkedHashMap<>();
      runs.put("simple-c32", server(40_000, 40_000, 700, serverCpu, 6));
      runs.put("simple-c32 echo", echo(50_000, 10));
      // 64 inferences per request: CPU per inference is a 64th of that per request.
      runs.put("mlp-c64", server(500, 32_000, 2000, 64 * 50.0, 40));
      runs.put("mlp-c1", server(2_000, 2_000, 480, 600, 1));
      goals.addRound(
          runs,
          Map.of(
              "simple-c32", new EngineSample(6, 100, 20, 2),
              "mlp-c64", new EngineSample(40, 100, 1500, 35),
              "mlp-c1", new EngineSample(1, 100, 400, 450)));
    }

    String table = goals.render();

    // (20 - 2) / 10 and (26 - 2) / 10: median 2.10, spread 2.40 / 1.80.
    assertTrue(
        table.contains(
            "| simple-c32 | (server CPU/request - engine CPU/sample at batch formed) / echo"
                + " CPU/request | 2.10 | 1.80 | 2.40 | 1.33 | <= 1.5 | 1.80 2.40 |"),
        table);
    assertTrue(
        table.contains("| simple-c32 | RingServe / echo requests/s | 0.80 | 0.80 | 0.80 | 1.00 |"),
        table);
    // (50 - 35) / 10, against the simple-c32 echo of the same round.
    assertTrue(
        table.contains(
            "| mlp-c64 | (server CPU/inference - engine CPU/sample at batch formed) / echo"
                + " CPU/request (simple-c32 echo) | 1.50 | 1.50 | 1.50 | 1.00 | <= 1.5 |"),
        table);
    // 480 - 400.
    assertTrue(
        table.contains(
            "| mlp-c1 | p50 latency - engine batch-1 median time, us | 80.00 | 80.00 | 80.00 |"),
        table);
  }

  @Test
  void shouldCompareMlpWithTheEchoOfItsOwnPayloadAndWithSimplesEcho() {
    Goals goals = new Goals();
    Map<String, Sample> runs = new LinkedHashMap<>();
    runs.put("simple-c32", server(40_000, 40_000, 700, 20, 6));
    runs.put("simple-c32 echo", echo(50_000, 8));
    runs.put("mlp-c64", server(30_000, 30_000, 2000, 28, 30));
    runs.put("mlp-c64 echo", echo(60_000, 10));

    goals.addRound(
        runs,
        Map.of(
            "simple-c32",
            new EngineSample(6, 100, 20, 2),
            "mlp-c64",
            new EngineSample(30, 100, 500, 16)));
    String table = goals.render();

    String figure =
        "| mlp-c64 | (server CPU/inference - engine CPU/sample at batch formed) / echo CPU/request";
    // (28 - 16) / 10 with mlp's payload, (28 - 16) / 8 against simple's echo.
    assertTrue(
        table.contains(figure + " (same payload) | 1.20 | 1.20 | 1.20 | 1.00 | <= 1.5 |"), table);
    assertTrue(table.contains(figure + " (simple-c32 echo) | 1.50 |"), table);
    assertTrue(
        table.contains(
            "| mlp-c64 | RingServe / echo requests/s (no goal: the engine bounds it) | 0.50 |"),
        table);
    assertFalse(table.contains("| mlp-c64 echo |"), "the echo's own row is not a figure: " + table);
  }

  @Test
  void shouldLeaveOutWhatARoundCouldNotMeasure() {
    Goals goals = new Goals();
    Map<String, Sample> runs = new LinkedHashMap<>();
    runs.put("mlp-c64", server(500, 32_000, 2000, 3200, 40));
    runs.put("mlp-c1", server(2_000, 2_000, 480, 600, 1));

    goals.addRound(runs, Map.of());

    assertEquals("", goals.render(), "no engine figures, no echo: nothing to compare");
  }

  @Test
  void shouldCombineEngineSlicesOverAllTheirRows() {
    // 100 runs of 30 rows at 10 us/row, then 50 runs of 60 rows at 7 us/row.
    EngineSample s =
        EngineSample.combine(
            List.of(
                new EngineSample(30, 100, 300, 10),
                new EngineSample(60, 50, 420, 7),
                new EngineSample(30, 100, 310, 10)));

    assertEquals(36, s.batch()); // 9,000 rows in 250 runs
    assertEquals(250, s.runs());
    assertEquals(310, s.medianUsPerRun(), 1e-9); // the median of 300, 420 and 310
    assertEquals((60_000 + 21_000) / 9_000.0, s.cpuUsPerSample(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> EngineSample.combine(List.of()));
  }

  @Test
  void shouldReadTheEngineProbesFigureLine() {
    EngineSample s =
        EngineSample.parse(
            "engine model=mlp batch=64 runs=312 median_us_per_run=1792.65 wall_us_per_run=6415.51"
                + " cpu_us_per_sample=38.562 cpu_us_per_run=2467.95 between_runs=none");

    assertEquals(new EngineSample(64, 312, 1792.65, 38.562), s);
    assertThrows(IllegalArgumentException.class, () -> EngineSample.parse("engine batch=2"));
    assertThrows(IllegalArgumentException.class, () -> EngineSample.parse("error no model x"));
  }
}
