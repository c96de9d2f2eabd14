package io.ringserve.loadtest.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The comparison's report: for every load and server, each figure's median, min, max and max/min
 * over the rounds, then RingServe against the echo (ratios of medians). Markdown. Stateless.
 */
final class CompareTable {
  private CompareTable() {}

  private record Figure(String name, ToDoubleFunction<Sample> value) {}

  private static final List<Figure> FIGURES =
      List.of(
          new Figure("requests/s (OK)", Sample::requestsPerSecond),
          new Figure("inferences/s", Sample::inferencesPerSecond),
          new Figure("p50 latency us", Sample::p50Us),
          new Figure("server CPU us/request", Sample::serverCpuUsPerRequest),
          new Figure("client CPU us/request", Sample::clientCpuUsPerRequest),
          new Figure("avg batch formed", Sample::averageBatch),
          new Figure("failed calls", s -> s.errors()));

  static String render(
      Map<String, List<Sample>> samples, int rounds, String duration, String warmup) {
    List<String> rows = new ArrayList<>();
    rows.add(
        String.format(
            Locale.ROOT,
            "%d rounds, %s measured after %s warm-up per run, %d CPUs (%s),"
                + " TF_ENABLE_ONEDNN_OPTS=%s",
            rounds,
            duration,
            warmup,
            Runtime.getRuntime().availableProcessors(),
            cpu(),
            System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "1")));
    rows.add("");
    rows.add("| load | figure | median | min | max | max/min |");
    rows.add("|---|---|---:|---:|---:|---:|");
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      for (Figure f : FIGURES) {
        Spread s = spread(e.getValue(), f);
        if (Double.isNaN(s.median())) {
          continue;
        }
        rows.add(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s |",
                e.getKey(),
                f.name(),
                fmt(s.median()),
                fmt(s.min()),
                fmt(s.max()),
                fmt(s.ratio())));
      }
    }
    rows.add("");
    rows.add(
        "| load | RingServe / echo requests/s | RingServe / echo server CPU per request"
            + " | load generator / minimal client, client CPU per request (on the echo) |");
    rows.add("|---|---:|---:|---:|");
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      List<Sample> echo = samples.get(e.getKey() + " echo");
      if (echo == null) {
        continue;
      }
      double rps =
          spread(e.getValue(), FIGURES.get(0)).median() / spread(echo, FIGURES.get(0)).median();
      double cpu =
          spread(e.getValue(), FIGURES.get(3)).median() / spread(echo, FIGURES.get(3)).median();
      List<Sample> minimal = samples.get(e.getKey() + " echo, minimal client");
      double client =
          minimal == null
              ? Double.NaN
              : spread(echo, FIGURES.get(4)).median() / spread(minimal, FIGURES.get(4)).median();
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s | %.2fx | %.2fx | %s |",
              e.getKey(),
              rps,
              cpu,
              Double.isNaN(client) ? "-" : String.format(Locale.ROOT, "%.2fx", client)));
    }
    return String.join("\n", rows);
  }

  /**
   * The engine called directly after each run of a load, at the batch size that run formed: its
   * figures' medians and spreads; empty if it did not run.
   */
  static String renderEngine(Map<String, List<EngineSample>> engine, String duration) {
    if (engine.isEmpty()) {
      return "";
    }
    List<String> rows = new ArrayList<>();
    rows.add("");
    rows.add("");
    rows.add(
        "Engine alone (EngineProbe, same models and engine options, "
            + duration
            + " per run) at the batch size each run formed:");
    rows.add("");
    rows.add("| load | engine figure | median | min | max | max/min |");
    rows.add("|---|---|---:|---:|---:|---:|");
    for (Map.Entry<String, List<EngineSample>> e : engine.entrySet()) {
      engineRow(rows, e.getKey(), "batch size", e.getValue(), s -> s.batch());
      engineRow(rows, e.getKey(), "median us/run", e.getValue(), EngineSample::medianUsPerRun);
      engineRow(rows, e.getKey(), "CPU us/sample", e.getValue(), EngineSample::cpuUsPerSample);
    }
    return String.join("\n", rows);
  }

  private static void engineRow(
      List<String> rows,
      String load,
      String figure,
      List<EngineSample> samples,
      ToDoubleFunction<EngineSample> value) {
    Spread s = Spread.of(samples.stream().mapToDouble(value).toArray());
    rows.add(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s |",
            load,
            figure,
            fmt(s.median()),
            fmt(s.min()),
            fmt(s.max()),
            fmt(s.ratio())));
  }

  /**
   * The CPU model and whether it has AVX-512 (the engines' speed depends on it; the server logs the
   * same at start), from {@code /proc/cpuinfo}; "unknown CPU" elsewhere.
   */
  static String cpu() {
    try {
      String info = Files.readString(Path.of("/proc/cpuinfo"));
      Matcher model = Pattern.compile("(?m)^model name\\s*:\\s*(.+)$").matcher(info);
      Matcher flags = Pattern.compile("(?m)^flags\\s*:\\s*(.+)$").matcher(info);
      String name = model.find() ? model.group(1).trim() : "unknown model";
      if (!flags.find()) {
        return name;
      }
      List<String> f = List.of(flags.group(1).trim().split("\\s+"));
      return name
          + (f.contains("avx512f") ? ", AVX-512" : f.contains("avx2") ? ", AVX2, no AVX-512" : "");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  private static Spread spread(List<Sample> samples, Figure f) {
    return Spread.of(samples.stream().mapToDouble(f.value()).toArray());
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
