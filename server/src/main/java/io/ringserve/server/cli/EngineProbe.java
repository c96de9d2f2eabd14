package io.ringserve.server.cli;

import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.cpu.CpuFeatures;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.internal.probe.BetweenRuns;
import io.ringserve.server.internal.probe.DirectModel;
import io.ringserve.server.internal.probe.EngineTimer;
import io.ringserve.server.internal.probe.ProbeDurations;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine alone: loads models as {@code serve} loads them (same repository, backends and engine
 * thread options; run it with the same {@code TF_ENABLE_ONEDNN_OPTS}) and calls them directly at
 * given batch sizes, printing one {@code engine ...} line of figures per measurement.
 *
 * <p>With {@code --batch} it measures those sizes and exits. Without, it prints {@code ready} once
 * the models are loaded and then answers lines {@code MODEL BATCH MILLIS} on standard input, one
 * figure line each (or {@code error ...}), until standard input ends: the out-of-process comparison
 * keeps one such process for a whole run and asks it, round after round, for the batch size the
 * server formed.
 */
@Command(
    name = "engine-probe",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Calls a model's engine directly, as the server would run it, and prints its wall time per"
          + " run and CPU time per sample.",
      "",
      "  TF_ENABLE_ONEDNN_OPTS=1 java -cp server/target/ringserve-server.jar"
          + " io.ringserve.server.cli.EngineProbe --model mlp --batch 1 --batch 64 -z 5s",
      ""
    })
public final class EngineProbe implements Callable<Integer> {
  @Option(
      names = {"--model-repository", "--model-store"},
      paramLabel = "DIR",
      description = "As for serve (default: the bundled examples).")
  Path modelRepository;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      required = true,
      description = "A model to load (repeatable).")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "Measure every --model at this batch size and exit (repeatable).")
  List<Long> batches = new ArrayList<>();

  @Option(
      names = {"-z", "--duration"},
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "Measured time per batch size with --batch (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Unmeasured runs before each measurement (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--between-runs",
      paramLabel = "PAUSE",
      defaultValue = "none",
      converter = BetweenRunsConverter.class,
      description =
          "Before each measured run: none (back to back), park:DURATION (the thread parks, as a"
              + " server's worker does between requests that come one at a time) or"
              + " spin:DURATION (busy); DURATION from 1us to 10s, such as park:400us. The runs"
              + " alone are timed; the CPU figures include the pauses (default: ${DEFAULT-VALUE}).")
  BetweenRuns betweenRuns = BetweenRuns.NONE;

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      description = "As for serve (default: the server's).")
  Integer intraOpThreads;

  @Option(
      names = "--inter-op-threads",
      paramLabel = "N",
      description = "As for serve (default: the server's).")
  Integer interOpThreads;

  private final PrintWriter out;

  EngineProbe(PrintWriter out) {
    this.out = out;
  }

  public static void main(String[] args) {
    Logging.configure();
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    System.exit(new CommandLine(new EngineProbe(out)).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // Which CPU and oneDNN setting the figures belong to, as serve logs it.
    System.getLogger(EngineProbe.class.getName())
        .log(
            System.Logger.Level.INFO,
            CpuFeatures.detect().startLine(System.getenv("TF_ENABLE_ONEDNN_OPTS")));
    BackendOptions defaults = BackendOptions.serverDefaults();
    BackendOptions engines =
        new BackendOptions(
            intraOpThreads != null ? intraOpThreads : defaults.intraOpThreads(),
            interOpThreads != null ? interOpThreads : defaults.interOpThreads());
    ProcessThreadPools pools = new ProcessThreadPools(engines);
    Path repository = modelRepository;
    if (repository == null) {
      repository = ServeCommand.defaultExamplesDir();
      ExampleModels.ensureGenerated(repository, pools);
    }
    Map<String, DirectModel> loaded = new LinkedHashMap<>();
    try {
      for (String name : models) {
        loaded.put(name, DirectModel.load(repository, name, Backends.all(pools), engines));
      }
      if (!batches.isEmpty()) {
        for (Map.Entry<String, DirectModel> m : loaded.entrySet()) {
          for (long batch : batches) {
            out.println(
                EngineTimer.measure(m.getValue(), m.getKey(), batch, warmup, duration, betweenRuns)
                    .line());
          }
        }
        return 0;
      }
      out.println("ready");
      answer(loaded, warmup);
      return 0;
    } finally {
      loaded.values().forEach(DirectModel::close);
    }
  }

  private void answer(Map<String, DirectModel> loaded, Duration warm) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] f = line.trim().split(" +");
      DirectModel model = f.length == 3 ? loaded.get(f[0]) : null;
      if (model == null) {
        out.println("error expected 'MODEL BATCH MILLIS' with a loaded model, got: " + line);
        continue;
      }
      try {
        long batch = Long.parseLong(f[1]);
        Duration measure = Duration.ofMillis(Long.parseLong(f[2]));
        out.println(EngineTimer.measure(model, f[0], batch, warm, measure, betweenRuns).line());
      } catch (Exception e) {
        // A bad number or batch size, or the engine failing: the asker reads the reason.
        out.println("error " + e);
      }
    }
  }

  /**
   * Reads an option with {@code parse}; picocli reports a value it refuses as a usage error naming
   * the option, with {@code parse}'s reason.
   */
  private abstract static class Reader<T> implements CommandLine.ITypeConverter<T> {
    private final Function<String, T> parse;

    Reader(Function<String, T> parse) {
      this.parse = parse;
    }

    @Override
    public T convert(String value) {
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Reads {@code --between-runs}. */
  static final class BetweenRunsConverter extends Reader<BetweenRuns> {
    BetweenRunsConverter() {
      super(BetweenRuns::parse);
    }
  }

  /** Reads {@code -z} and {@code --warmup}. */
  static final class DurationConverter extends Reader<Duration> {
    DurationConverter() {
      super(ProbeDurations::parse);
    }
  }
}
