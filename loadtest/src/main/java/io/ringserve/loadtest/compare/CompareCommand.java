package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.loadtest.internal.Durations;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The out-of-process cost comparison: starts RingServe as the README does ({@code java -jar
 * ringserve-server.jar serve}, oneDNN on) in a JVM of its own, a bare grpc-java echo service of the
 * same payload in another, and drives both from this process, interleaved, for several rounds. For
 * each run it reads the server's CPU time (user + system, from {@code /proc/PID/stat}) and this
 * process's own before and after, so CPU per request is the server process's, not a shared JVM's.
 * Prints medians and spread (max/min) over the rounds as a Markdown table.
 *
 * <p>Against the server it started, it also has the engine called directly ({@link
 * EngineProbeProcess}: the server jar's {@code EngineProbe}, in a JVM of its own, same models,
 * environment and engine options) at the batch size the server formed, batch 1 at c=1, and reports
 * the acceptance figures that subtract the engine's own cost ({@link Goals}), each per round. Each
 * run is taken in slices that alternate between RingServe, the engine and the echo ({@link
 * InterleavedRun}, {@code --slices}). Before the first round, {@code --initial-warmup} of
 * unmeasured load lets the JIT compile both servers.
 *
 * <p>With {@code --url} it drives a server it did not start (remote or already running); the
 * server's CPU then comes from {@code process_cpu_seconds_total} on {@code --metrics-url}, when
 * offered. Runs on one thread; the load itself runs on the load generator's transport threads.
 */
@Command(
    name = "ringserve-compare",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures RingServe's cost per request against a bare grpc-java echo service, each in its"
          + " own JVM, driven from this process; prints medians and max/min over the rounds.",
      "",
      "  java -cp loadtest/target/ringserve-loadtest.jar io.ringserve.loadtest.compare.CompareCommand"
          + " --rounds 5 -z 10s --warmup 5s -o target/compare.md",
      ""
    })
public final class CompareCommand implements Callable<Integer> {
  @Option(
      names = "--server-jar",
      paramLabel = "JAR",
      defaultValue = "server/target/ringserve-server.jar",
      description = "The server to start (default: ${DEFAULT-VALUE}).")
  Path serverJar;

  @Option(
      names = "--server-arg",
      paramLabel = "ARG",
      description = "An argument added to 'serve', e.g. --model-repository=DIR (repeatable).")
  List<String> serverArgs = new ArrayList<>();

  @Option(
      names = {"-u", "--url"},
      paramLabel = "HOST:PORT",
      description = "Drive this server instead of starting one.")
  String url;

  @Option(
      names = "--metrics-url",
      paramLabel = "URL",
      description = "With --url: the server's Prometheus endpoint, for its process CPU time.")
  URI metricsUrl;

  @Option(
      names = "--case",
      paramLabel = "NAME",
      split = ",",
      description = "Loads to run: simple-c32, simple-c64x16, mlp-c64, mlp-c1 (default: all).")
  List<String> cases = new ArrayList<>();

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "5",
      description = "Rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = {"-z", "--duration"},
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = "Measured time of each run (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--slices",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "Each run taken in N slices that alternate between RingServe, the engine and the echo"
              + " (on connections warmed once), so that the machine's drift reaches all three"
              + " alike (default: ${DEFAULT-VALUE}).")
  int slices;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "Unmeasured load before each run (default: ${DEFAULT-VALUE}).")
  String warmup;

  @Option(
      names = "--initial-warmup",
      paramLabel = "DURATION",
      defaultValue = "15s",
      description =
          "Unmeasured load before the first round, shared among the loads, on each server, so"
              + " that the JIT has compiled the hot paths (default: ${DEFAULT-VALUE}).")
  String initialWarmup;

  @Option(
      names = "--engine-duration",
      paramLabel = "DURATION",
      defaultValue = "3s",
      description =
          "Per run of a started server: the engine called directly (EngineProbe, in a JVM of its"
              + " own) at the batch size the server formed, for this long in all, shared among the"
              + " slices; 0s: not at all (default: ${DEFAULT-VALUE}).")
  String engineDuration;

  @Option(
      names = "--start-timeout",
      paramLabel = "DURATION",
      defaultValue = "180s",
      description = "Wait for a started server to be ready (default: ${DEFAULT-VALUE}).")
  String startTimeout;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Also write the table to FILE.")
  Path output;

  private final PrintWriter out;

  CompareCommand(PrintWriter out) {
    this.out = out;
  }

  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    System.exit(execute(args, out, out));
  }

  /** Runs the command line; returns the exit status (1: could not run, 2: bad command line). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new CompareCommand(out));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, c, p) -> {
          err.println("ringserve-compare: " + e.getMessage());
          err.flush();
          return e instanceof IllegalArgumentException ? 2 : 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    List<Case> selected = cases.isEmpty() ? Case.ALL : cases.stream().map(Case::named).toList();
    Duration measure = Durations.parse(duration);
    if (slices < 1 || measure.dividedBy(Math.max(1, slices)).toMillis() < 1) {
      throw new IllegalArgumentException(
          "--slices must be at least 1 and leave each slice of -z at least 1 ms, got "
              + slices
              + " slices of "
              + duration);
    }
    Duration warm = Durations.parse(warmup);
    Path logs = Files.createTempDirectory("ringserve-compare");
    Duration engineTime = Durations.parse(engineDuration);
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Map<String, List<EngineSample>> engine = new LinkedHashMap<>();
    Goals goals = new Goals();
    ChildJvm server = null;
    ChildJvm echo = null;
    EngineProbeProcess probe = null;
    try {
      Target ringServe;
      if (url == null) {
        int grpc = freePort();
        int http = freePort();
        server = startServer(grpc, http, logs);
        ringServe = Target.of("127.0.0.1", grpc);
      } else {
        ringServe = Target.parse(url);
      }
      int echoPort = freePort();
      if (selected.stream().anyMatch(c -> c.echo() || c.minimalClient())) {
        echo = startEcho(echoPort, ringServe, echoedModels(selected), logs);
      }
      Target bare = Target.of("127.0.0.1", echoPort);
      if (server != null && !engineTime.isZero()) {
        probe = startProbe(selected, logs);
      }
      initialWarmup(ringServe, bare, selected, echo != null);
      InterleavedRun interleaved = new InterleavedRun(slices, probe, engineTime);
      for (int round = 1; round <= rounds; round++) {
        Map<String, Sample> thisRound = new LinkedHashMap<>();
        Map<String, EngineSample> engineThisRound = new LinkedHashMap<>();
        for (Case c : selected) {
          // Interleaved: each round runs every load on both servers, so drift hits both alike.
          InterleavedRun.Result r =
              measure(
                  interleaved, ringServe, c.echo() ? bare : null, c, measure, warm, server, echo);
          thisRound.put(c.name(), r.ringServe());
          if (r.engine() != null) {
            engineThisRound.put(c.name(), r.engine());
            engine.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(r.engine());
          }
          if (r.echo() != null) {
            thisRound.put(c.name() + " echo", r.echo());
          }
          if (c.minimalClient()) {
            thisRound.put(
                c.name() + " echo, minimal client", runMinimal(bare, c, measure, warm, echo));
          }
        }
        thisRound.forEach((k, v) -> samples.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        goals.addRound(thisRound, engineThisRound);
        out.printf("round %d of %d done%n", round, rounds);
        out.flush();
      }
    } finally {
      if (probe != null) {
        probe.close();
      }
      if (echo != null) {
        echo.close();
      }
      if (server != null) {
        server.close();
      }
    }
    String table =
        CompareTable.render(samples, rounds, duration, warmup)
            + CompareTable.renderEngine(engine, engineDuration)
            + (goals.render().isEmpty() ? "" : "\n\n" + goals.render());
    out.println(table);
    out.flush();
    if (output != null) {
      Files.writeString(output, table + "\n");
    }
    return 0;
  }

  /** One load on RingServe, the engine (with a probe) and the echo ({@code bare}, or none). */
  private InterleavedRun.Result measure(
      InterleavedRun interleaved,
      Target ringServe,
      Target bare,
      Case c,
      Duration measure,
      Duration warm,
      ChildJvm server,
      ChildJvm echo)
      throws IOException, InterruptedException {
    Duration slice = measure.dividedBy(slices);
    try (LoadRunner a = LoadRunner.open(sliceSpec(ringServe, c, slice));
        LoadRunner b = bare == null ? null : LoadRunner.open(sliceSpec(bare, c, slice))) {
      return interleaved.measure(
          c.model(),
          c.concurrency() == 1,
          new InterleavedRun.Side(a, () -> serverCpu(server)),
          b == null ? null : new InterleavedRun.Side(b, () -> serverCpu(echo)),
          warm);
    }
  }

  private static LoadSpec sliceSpec(Target target, Case c, Duration slice) {
    return LoadSpec.builder(target, c.model())
        .concurrency(c.concurrency())
        .connections(c.connections())
        .warmup(Warmup.NONE)
        .duration(slice)
        .build();
  }

  /**
   * Load before the first round, {@code --initial-warmup} shared among the loads, on RingServe and
   * then on the echo: the per-run warm-up alone leaves the first round slower (the JIT is still
   * compiling, on two cores), which the spread over the rounds then shows.
   */
  private void initialWarmup(Target ringServe, Target bare, List<Case> selected, boolean withEcho)
      throws IOException, InterruptedException {
    Duration each = Durations.parse(initialWarmup).dividedBy(selected.size());
    if (each.isZero()) {
      return;
    }
    for (Case c : selected) {
      warmUp(ringServe, c, each);
    }
    for (Case c : selected) {
      if (c.echo() && withEcho) {
        warmUp(bare, c, each);
      }
      if (c.minimalClient() && withEcho) {
        MinimalClient.run(bare, c.concurrency(), c.connections(), each);
      }
    }
  }

  private static void warmUp(Target target, Case c, Duration time)
      throws IOException, InterruptedException {
    LoadSpec spec =
        LoadSpec.builder(target, c.model())
            .concurrency(c.concurrency())
            .connections(c.connections())
            .warmup(Warmup.NONE)
            .duration(time)
            .build();
    LoadRunner.runOnce(spec);
  }

  /**
   * The engine probe for the models of {@code selected}, with what the server was started with that
   * concerns the engine: the environment, the repository and the thread options.
   */
  private EngineProbeProcess startProbe(List<Case> selected, Path logs)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    selected.stream().map(Case::model).distinct().forEach(m -> args.add("--model=" + m));
    // The engine needs less warming than the server (no JIT-compiled request path to speak of):
    // the run's warm-up, at most a second, shared among the slices of each measurement.
    Duration warm = Durations.parse(warmup);
    long warmMs = Math.min(1000, warm.toMillis()) / slices;
    args.add("--warmup=" + warmMs + "ms");
    for (int i = 0; i < serverArgs.size(); i++) {
      String a = serverArgs.get(i);
      String option = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (ENGINE_OPTIONS.contains(option)) {
        args.add(a);
        if (!a.contains("=") && i + 1 < serverArgs.size()) {
          args.add(serverArgs.get(++i));
        }
      }
    }
    return EngineProbeProcess.start(
        java(), serverJar, args, engineEnv(), logs, Durations.parse(startTimeout));
  }

  /** The server's options the engine probe takes too: where the models are, and engine threads. */
  private static final List<String> ENGINE_OPTIONS =
      List.of("--model-repository", "--model-store", "--intra-op-threads", "--inter-op-threads");

  /** The same load on the echo from {@link MinimalClient}: the yardstick of the client's cost. */
  private Sample runMinimal(Target echo, Case c, Duration measure, Duration warm, ChildJvm process)
      throws IOException, InterruptedException {
    if (!warm.isZero()) {
      MinimalClient.run(echo, c.concurrency(), c.connections(), warm);
    }
    long serverBefore = serverCpu(process);
    long clientBefore = ProcessCpu.self();
    MinimalClient.Result r = MinimalClient.run(echo, c.concurrency(), c.connections(), measure);
    long clientAfter = ProcessCpu.self();
    long serverAfter = serverCpu(process);
    long ok = Math.max(1, r.ok());
    double seconds = r.elapsed().toNanos() / 1e9;
    return new Sample(
        r.ok() / seconds,
        r.ok() / seconds,
        Double.NaN,
        (serverAfter - serverBefore) / 1e3 / ok,
        (clientAfter - clientBefore) / 1e3 / ok,
        Double.NaN,
        r.failed());
  }

  private long serverCpu(ChildJvm process) throws IOException, InterruptedException {
    if (process != null) {
      return ProcessCpu.ofPid(process.pid());
    }
    return metricsUrl == null ? -1 : ProcessCpu.fromMetrics(metricsUrl);
  }

  private ChildJvm startServer(int grpc, int http, Path logs)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(serverJar)) {
      throw new LoadTestException(
          "no server jar at " + serverJar + " (build it with ./mvnw -B -DskipTests package)");
    }
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-jar");
    command.add(serverJar.toString());
    command.add("serve");
    command.add("--grpc-port=" + grpc);
    command.add("--http-port=" + http);
    command.add("--metrics-port=" + freePort());
    command.addAll(serverArgs);
    long wait = Durations.parse(startTimeout).toMillis();
    ChildJvm child = ChildJvm.start("ringserve", command, engineEnv(), grpc, logs, wait);
    awaitReady(child, http, wait);
    return child;
  }

  /** As ./ringserve sets them; an exported value wins, as there. */
  private static Map<String, String> engineEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TF_ENABLE_ONEDNN_OPTS", System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "1"));
    env.put("TF_CPP_MIN_LOG_LEVEL", System.getenv().getOrDefault("TF_CPP_MIN_LOG_LEVEL", "1"));
    return env;
  }

  private static void awaitReady(ChildJvm child, int http, long waitMs)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    URI ready = URI.create("http://127.0.0.1:" + http + "/v2/health/ready");
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // The HTTP port opens a little after the gRPC one.
      }
      Thread.sleep(200);
    }
    child.close();
    throw new LoadTestException("the server did not become ready; its output is in " + child.log());
  }

  /** The models whose payload the echo takes: each echoed load's, as RingServe describes it. */
  private static List<String> echoedModels(List<Case> selected) {
    return selected.stream().filter(Case::echo).map(Case::model).distinct().toList();
  }

  private ChildJvm startEcho(int port, Target mirrorOf, List<String> models, Path logs)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                java(),
                "-cp",
                System.getProperty("java.class.path"),
                EchoInferenceServer.class.getName(),
                Integer.toString(port)));
    if (!models.isEmpty()) {
      command.addAll(
          List.of("--mirror", mirrorOf.host() + ":" + mirrorOf.port(), String.join(",", models)));
    }
    return ChildJvm.start(
        "echo", command, Map.of(), port, logs, Durations.parse(startTimeout).toMillis());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
