package io.ringserve.loadtest.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The acceptance figures of the cost goals (docs/PERFORMANCE.md, issue 19), computed per round from
 * that round's runs, so that each has a median and a spread over the rounds:
 *
 * <ul>
 *   <li>{@code simple}: RingServe / echo requests/s (goal at least 0.7), and the server's CPU per
 *       request less the engine's CPU per sample at the batch size the server formed, over the
 *       echo's CPU per request (goal at most 1.5);
 *   <li>{@code mlp} at c=64: the same excess per inference over the echo's CPU per request with
 *       {@code mlp}'s payload (goal at most 1.5, which is "at most the engine's CPU per sample plus
 *       1.5x the echo's"), and over the round's {@code simple-c32} echo's, the yardstick of runs
 *       before the echo took other models' payloads;
 *   <li>{@code mlp} at c=1: median latency less the engine's median batch-1 time (goal at most 100
 *       us).
 * </ul>
 *
 * A figure whose inputs are missing in a round (no engine probe against a remote server, no echo
 * run) is left out of that round. Not thread-safe: one owner.
 */
final class Goals {
  /** One acceptance figure: its load, what it is, and the bound it must keep. */
  record Goal(String load, String figure, String bound) {}

  private final Map<Goal, List<Double>> values = new LinkedHashMap<>();

  /**
   * Adds one round's figures.
   *
   * @param runs the round's samples, keyed as the report keys them ({@code simple-c32}, {@code
   *     simple-c32 echo}, ...)
   * @param engine the engine's figures of the round, keyed by load
   */
  void addRound(Map<String, Sample> runs, Map<String, EngineSample> engine) {
    for (Map.Entry<String, Sample> e : runs.entrySet()) {
      String load = e.getKey();
      if (load.contains(" echo")) {
        continue; // a baseline's run, compared with below as its load's yardstick
      }
      Sample server = e.getValue();
      Sample echo = runs.get(load + " echo");
      EngineSample probe = engine.get(load);
      if (load.equals("mlp-c1")) {
        if (probe != null) {
          add(
              new Goal(load, "p50 latency - engine batch-1 median time, us", "<= 100"),
              server.p50Us() - probe.medianUsPerRun());
        }
      } else if (load.startsWith("mlp")) {
        addInferenceCost(load, server, echo, probe, runs.get("simple-c32 echo"));
      } else if (echo != null) {
        add(
            new Goal(load, "RingServe / echo requests/s", ">= 0.7"),
            server.requestsPerSecond() / echo.requestsPerSecond());
        if (probe != null) {
          add(
              new Goal(
                  load,
                  "(server CPU/request - engine CPU/sample at batch formed) / echo CPU/request",
                  "<= 1.5"),
              (server.serverCpuUsPerRequest() - probe.cpuUsPerSample())
                  / echo.serverCpuUsPerRequest());
        }
      }
    }
  }

  /**
   * An {@code mlp} load's CPU per inference beyond the engine's, over the echo's CPU per request
   * with the same payload (the goal's yardstick), and over the {@code simple-c32} echo's (the
   * yardstick of runs before the echo took other models' payloads, kept so the two can be read side
   * by side), with RingServe / echo requests/s for reference.
   */
  private void addInferenceCost(
      String load, Sample server, Sample echo, EngineSample probe, Sample simpleEcho) {
    if (echo != null) {
      add(
          new Goal(load, "RingServe / echo requests/s (no goal: the engine bounds it)", "-"),
          server.requestsPerSecond() / echo.requestsPerSecond());
    }
    if (probe == null) {
      return;
    }
    double beyondEngine =
        server.serverCpuUsPerRequest() * server.requestsPerSecond() / server.inferencesPerSecond()
            - probe.cpuUsPerSample();
    String figure = "(server CPU/inference - engine CPU/sample at batch formed) / echo CPU/request";
    if (echo != null) {
      add(
          new Goal(load, figure + " (same payload)", "<= 1.5"),
          beyondEngine / echo.serverCpuUsPerRequest());
    }
    if (simpleEcho != null) {
      add(
          new Goal(load, figure + " (simple-c32 echo)", "<= 1.5"),
          beyondEngine / simpleEcho.serverCpuUsPerRequest());
    }
  }

  private void add(Goal goal, double value) {
    if (!Double.isNaN(value) && !Double.isInfinite(value)) {
      values.computeIfAbsent(goal, g -> new ArrayList<>()).add(value);
    }
  }

  /** The figures' medians and spreads, as a Markdown table; empty if there are none. */
  String render() {
    if (values.isEmpty()) {
      return "";
    }
    List<String> rows = new ArrayList<>();
    // Each round's value too: one slow round (the machine, not the server) shows as such.
    rows.add("| load | acceptance figure | median | min | max | max/min | goal | by round |");
    rows.add("|---|---|---:|---:|---:|---:|---|---|");
    for (Map.Entry<Goal, List<Double>> e : values.entrySet()) {
      Spread s = Spread.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f | %.2f | %.2f | %s | %s | %s |",
              e.getKey().load(),
              e.getKey().figure(),
              s.median(),
              s.min(),
              s.max(),
              Double.isNaN(s.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", s.ratio()),
              e.getKey().bound(),
              e.getValue().stream()
                  .map(v -> String.format(Locale.ROOT, "%.2f", v))
                  .collect(Collectors.joining(" "))));
    }
    return String.join("\n", rows);
  }
}
