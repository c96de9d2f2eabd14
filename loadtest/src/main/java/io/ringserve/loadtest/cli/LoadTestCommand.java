package io.ringserve.loadtest.cli;

import io.ringserve.loadtest.ConcurrencyRange;
import io.ringserve.loadtest.ContentsMode;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.ProgressListener;
import io.ringserve.loadtest.Protocol;
import io.ringserve.loadtest.ReportFormat;
import io.ringserve.loadtest.SweepReport;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ringserve-loadtest}: ghz-style load tests and perf_analyzer-style concurrency sweeps for
 * any KServe v2 server. Exit status: 0 after a run whose share of failed calls is at most {@code
 * --max-error-rate} (default 0), 3 after a run with more failures (the report is still written, and
 * one line on stderr names the failures by code), 1 when the run cannot happen (server unreachable,
 * model unknown, bad --shape or --data), 2 for a bad command line. Errors are one line on stderr.
 */
@Command(
    name = "ringserve-loadtest",
    mixinStandardHelpOptions = true,
    versionProvider = LoadTestCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the run ended with failed calls at most --max-error-rate",
      "1:the run could not start (server unreachable, model unknown, bad --shape or --data)",
      "2:bad command line",
      "3:more calls failed than --max-error-rate allows (the report is still written)"
    },
    description = {
      "Load-tests a KServe v2 / Triton gRPC server: reads the model's metadata, sends valid random"
          + " inputs closed-loop (-c) or open-loop (--rps), and reports latency percentiles,"
          + " throughput, errors and the server's own batching statistics.",
      "",
      "Examples:",
      "  ringserve-loadtest -m mlp -c 8 -z 10s",
      "  ringserve-loadtest -m simple --rps 500 -z 5s -O json -o run.json",
      "  ringserve-loadtest -m mlp --concurrency-range 1:128:*2 -z 5s --warmup 1s -O html -o sweep.html",
      ""
    })
public final class LoadTestCommand implements Callable<Integer> {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME",
      required = true,
      description = "Model name.")
  String model;

  @Option(
      names = "--model-version",
      paramLabel = "VERSION",
      defaultValue = "",
      description = "Model version (default: the server's choice).")
  String modelVersion;

  @Option(
      names = {"-b", "--batch-size"},
      paramLabel = "N",
      defaultValue = "1",
      description = "Rows per request along the batch dimension (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--shape",
      paramLabel = "NAME:DIMS",
      converter = Converters.ShapeConverter.class,
      description =
          "NAME:d1,d2,... (or NAME=d1,d2,...) shape of an input with variable dimensions, without"
              + " the batch dimension (repeatable).")
  List<Map.Entry<String, List<Long>>> shapes = new ArrayList<>();

  @Option(
      names = {"-d", "--data"},
      paramLabel = "FILE",
      description = "JSON file of named input values to send instead of random data.")
  Path data;

  @Option(
      names = "--contents",
      paramLabel = "raw|typed",
      defaultValue = "raw",
      converter = Converters.ContentsConverter.class,
      description =
          "raw (raw_input_contents) or typed (InferTensorContents) (default: ${DEFAULT-VALUE}).")
  ContentsMode contents;

  @Option(
      names = {"-c", "--concurrency"},
      paramLabel = "N",
      defaultValue = "1",
      description = "Calls outstanding at once, closed loop (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = {"-r", "--rps"},
      paramLabel = "RATE",
      defaultValue = "0",
      description =
          "Open loop: calls started per second on a fixed schedule; latency counts from each call's intended start.")
  double rps;

  @Option(
      names = {"-n", "--total"},
      paramLabel = "N",
      defaultValue = "0",
      description = "Calls to measure.")
  long total;

  @Option(
      names = {"-z", "--duration"},
      paramLabel = "DURATION",
      defaultValue = "0",
      converter = Converters.DurationConverter.class,
      description = "Time to measure (500ms, 5s, 1m). With neither -n nor -z: 10s.")
  Duration duration;

  @Option(
      names = "--connections",
      paramLabel = "N",
      defaultValue = "1",
      description = "gRPC connections to spread calls over (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--warmup",
      paramLabel = "N|DURATION",
      defaultValue = "0",
      converter = Converters.WarmupConverter.class,
      description = "Requests (500) or time (2s) sent before each measurement and not counted.")
  Warmup warmup;

  @Option(
      names = "--stream",
      description =
          "Send over ModelStreamInfer (one stream per connection) instead of unary ModelInfer.")
  boolean stream;

  @Option(
      names = {"-i", "--protocol"},
      paramLabel = "PROTOCOL",
      defaultValue = "grpc",
      converter = Converters.ProtocolConverter.class,
      description =
          "grpc or http, as perf_analyzer's -i (default: ${DEFAULT-VALUE}). Over http, --contents"
              + " raw sends binary tensor data and typed sends JSON data; one keep-alive"
              + " connection per call in flight.")
  Protocol protocol;

  @Option(
      names = "--concurrency-range",
      paramLabel = "START[:END[:STEP]]",
      converter = Converters.RangeConverter.class,
      description =
          "Sweep, one measurement per level: START[:END[:STEP]] as perf_analyzer's (STEP added"
              + " while within END, default 1: 1:64:8 is 1, 9, ..., 57), or START:END:*FACTOR to"
              + " multiply, ending with END (1:128:*2 is 1, 2, 4, ..., 128).")
  ConcurrencyRange range;

  @Option(
      names = {"-O", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "summary",
      converter = Converters.FormatConverter.class,
      description = "summary, json, pretty, csv or html (default: ${DEFAULT-VALUE}).")
  ReportFormat format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the report to FILE (default: stdout).")
  Path output;

  @Option(
      names = "--pool-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Distinct random requests, built once and cycled (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--max-outstanding",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Open loop: most calls in flight (default: ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(
      names = "--max-error-rate",
      paramLabel = "RATE",
      defaultValue = "0",
      converter = Converters.RateConverter.class,
      description =
          "Most failed calls, as a fraction (0.01) or percentage (1%%), before the exit status is 3"
              + " (default: ${DEFAULT-VALUE}).")
  double maxErrorRate;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar.")
  boolean quiet;

  @Mixin TargetOptions targetOptions = new TargetOptions();

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;

  LoadTestCommand(PrintWriter out, PrintWriter err, boolean terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(execute(args, out, err, System.console() != null));
  }

  /**
   * Runs the command line; returns the exit status.
   *
   * @param terminal whether a person is watching (a progress bar is drawn on {@code err})
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err, boolean terminal) {
    CommandLine cl = new CommandLine(new LoadTestCommand(out, err, terminal));
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (e, a) -> {
          err.println("ringserve-loadtest: " + e.getMessage() + " (see --help)");
          err.flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (e, c, p) -> {
          if (e instanceof LoadTestException || e instanceof IllegalArgumentException) {
            err.println("ringserve-loadtest: " + e.getMessage());
            err.flush();
            return e instanceof LoadTestException ? 1 : 2;
          }
          throw e;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    LoadSpec spec = spec();
    if (range != null && rps > 0) {
      throw new IllegalArgumentException(
          "--concurrency-range is closed-loop; it cannot be combined with --rps");
    }
    List<LoadReport> measured = new ArrayList<>();
    ProgressBar bar = terminal && !quiet ? new ProgressBar(err) : null;
    CountDownLatch finished = new CountDownLatch(1);
    try (LoadRunner runner = LoadRunner.open(spec, bar == null ? ProgressListener.NONE : bar)) {
      Thread hook =
          new Thread(
              () -> {
                // Ctrl-C: stop starting calls and let the report of what ran be written.
                runner.cancel();
                try {
                  finished.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "ringserve-loadtest-cancel");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        if (range != null) {
          SweepReport sweep = runner.sweep(range);
          measured.addAll(sweep.levels());
          clear(bar);
          write(w -> format.write(sweep, w));
        } else {
          LoadReport report = runner.run();
          measured.add(report);
          clear(bar);
          write(w -> format.write(report, w));
        }
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
          // The hook is running; it returns now that the report is written.
        }
      }
    }
    return errorStatus(measured);
  }

  /** 3, after one line on stderr per measurement, when any had more failures than allowed. */
  private int errorStatus(List<LoadReport> reports) {
    int status = 0;
    for (LoadReport r : reports) {
      if (r.errorCount() > 0 && r.errorRate() > maxErrorRate) {
        err.println("ringserve-loadtest: " + ErrorLine.of(r, maxErrorRate));
        status = 3;
      }
    }
    err.flush();
    return status;
  }

  private LoadSpec spec() {
    Target target = targetOptions.toTarget(protocol.defaultPort());
    LoadSpec.Builder b =
        LoadSpec.builder(target, model)
            .modelVersion(modelVersion)
            .batchSize(batchSize)
            .dataFile(data)
            .contents(contents)
            .concurrency(concurrency)
            .rps(rps)
            .total(total)
            .duration(duration)
            .connections(connections)
            .warmup(warmup)
            .stream(stream)
            .protocol(protocol)
            .poolSize(poolSize)
            .seed(seed)
            .maxOutstanding(maxOutstanding);
    shapes.forEach(e -> b.shape(e.getKey(), e.getValue()));
    return b.build();
  }

  private static void clear(ProgressBar bar) {
    if (bar != null) {
      bar.clear();
    }
  }

  @FunctionalInterface
  private interface ReportWrite {
    void to(Writer w) throws IOException;
  }

  private void write(ReportWrite report) throws IOException {
    if (output == null) {
      report.to(out);
      out.flush();
      return;
    }
    try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      report.to(w);
    }
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LoadTestCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ringserve-loadtest " + (v == null ? "(development build)" : v)};
    }
  }
}
