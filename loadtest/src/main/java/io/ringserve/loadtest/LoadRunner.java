package io.ringserve.loadtest;

import inference.GrpcService.ModelMetadataResponse;
import io.ringserve.loadtest.internal.Bound;
import io.ringserve.loadtest.internal.CallSender;
import io.ringserve.loadtest.internal.Channels;
import io.ringserve.loadtest.internal.ClosedLoop;
import io.ringserve.loadtest.internal.DataFile;
import io.ringserve.loadtest.internal.HttpModelProbe;
import io.ringserve.loadtest.internal.HttpSender;
import io.ringserve.loadtest.internal.InputLayout;
import io.ringserve.loadtest.internal.InputLayouts;
import io.ringserve.loadtest.internal.LoadLoop;
import io.ringserve.loadtest.internal.Measurement;
import io.ringserve.loadtest.internal.ModelProbe;
import io.ringserve.loadtest.internal.OpenLoop;
import io.ringserve.loadtest.internal.ReportBuilder;
import io.ringserve.loadtest.internal.RequestPool;
import io.ringserve.loadtest.internal.ServerProbe;
import io.ringserve.loadtest.internal.StreamSender;
import io.ringserve.loadtest.internal.UnarySender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives load at a KServe v2 server and reports what it measured; the engine behind {@code
 * ringserve-loadtest}, usable from Java (JUnit harnesses, benchmarks) as well:
 *
 * <pre>{@code
 * LoadSpec spec = LoadSpec.builder(Target.of("127.0.0.1", 8001), "mlp")
 *     .concurrency(8).duration(Duration.ofSeconds(5)).warmup(Warmup.requests(200)).build();
 * try (LoadRunner runner = LoadRunner.open(spec)) {
 *   LoadReport report = runner.run();
 *   System.out.println(report.inferencesPerSecond() + " infer/s, p99 " + report.percentile(99));
 * }
 * }</pre>
 *
 * <p>{@link #open} connects, reads the model's metadata and builds the pool of requests once;
 * {@link #run} and {@link #sweep} can then be called any number of times, one at a time, on the
 * same connections. {@link #cancel()} may be called from any thread (a shutdown hook, say).
 *
 * <p>Over HTTP ({@link Protocol#HTTP}) the same loops drive an {@link HttpSender} and the model is
 * probed over REST; the report is the same.
 *
 * <p>Cost: the load loops run on the gRPC transport's threads plus one pacing thread in open loop
 * and one sampling thread; per call, one gRPC call and a histogram update. Requests are pre-built,
 * so the generator leaves the CPU to the server under test.
 */
public final class LoadRunner implements AutoCloseable {
  /** Longest time to wait for a server's statistics to catch up with the answers it sent. */
  private static final Duration STATS_SETTLE = Duration.ofSeconds(2);

  private final LoadSpec spec;
  private final ProgressListener progress;
  private final Channels channels;
  private final ServerProbe probe;
  private final RequestPool pool;
  private final CallSender sender;
  private final List<String> inputs;
  private final ScheduledExecutorService sampler;
  private volatile LoadLoop current;
  private volatile boolean cancelled;

  private LoadRunner(
      LoadSpec spec,
      ProgressListener progress,
      Channels channels,
      ServerProbe probe,
      RequestPool pool,
      List<String> inputs) {
    this.spec = spec;
    this.progress = progress;
    this.channels = channels;
    this.probe = probe;
    this.pool = pool;
    this.inputs = List.copyOf(inputs);
    this.sender =
        spec.protocol() == Protocol.HTTP
            ? new HttpSender(
                spec.target(), spec.model(), spec.modelVersion(), pool, spec.target().deadline())
            : spec.stream()
                ? new StreamSender(channels)
                : new UnarySender(channels, spec.target().deadline());
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ringserve-loadtest-sampler");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens a runner for {@code spec}, takes one measurement as the spec says and closes it: for
   * callers that measure a spec once.
   */
  public static LoadReport runOnce(LoadSpec spec) throws InterruptedException {
    try (LoadRunner runner = open(spec)) {
      return runner.run();
    }
  }

  /** As {@link #open(LoadSpec, ProgressListener)} without progress reports. */
  public static LoadRunner open(LoadSpec spec) {
    return open(spec, ProgressListener.NONE);
  }

  /**
   * Connects to the spec's target, reads the model's metadata and builds the requests.
   *
   * @throws LoadTestException if the server is unreachable, the model unknown, or the input options
   *     do not fit the model; the message is one line saying which
   */
  public static LoadRunner open(LoadSpec spec, ProgressListener progress) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(progress, "progress");
    boolean http = spec.protocol() == Protocol.HTTP;
    // Over HTTP the sender holds its own connections, and the probe asks over REST.
    Channels channels = http ? null : Channels.open(spec.target(), spec.connections());
    try {
      ServerProbe probe =
          http
              ? new HttpModelProbe(spec.target(), spec.model(), spec.modelVersion())
              : new ModelProbe(channels.get(0), spec.target(), spec.model(), spec.modelVersion());
      ModelMetadataResponse metadata = probe.metadata();
      List<InputLayout> layouts =
          InputLayouts.resolve(
              metadata,
              probe.maxBatchSize(),
              spec.shapes(),
              spec.batchSize(),
              spec.dataFile() != null);
      RequestPool pool =
          spec.dataFile() == null
              ? RequestPool.random(
                  spec.model(),
                  spec.modelVersion(),
                  layouts,
                  spec.contents(),
                  spec.poolSize(),
                  spec.seed())
              : RequestPool.fromData(
                  spec.model(),
                  spec.modelVersion(),
                  layouts,
                  spec.contents(),
                  spec.dataFile(),
                  DataFile.read(spec.dataFile()));
      List<String> inputs = new ArrayList<>();
      for (InputLayout l : layouts) {
        inputs.add(l.name() + " " + l.datatype() + " " + Arrays.toString(l.wireShape()));
      }
      return new LoadRunner(spec, progress, channels, probe, pool, inputs);
    } catch (RuntimeException e) {
      if (channels != null) {
        channels.close();
      }
      throw e;
    }
  }

  /** The spec this runner was opened with. */
  public LoadSpec spec() {
    return spec;
  }

  /**
   * The inputs as sent, one line each: name, datatype and wire shape, for example {@code INPUT0
   * INT32 [1, 16]} (with a data file, the first sample's shape).
   */
  public List<String> inputs() {
    return inputs;
  }

  /** One measurement as the spec says (closed loop at its concurrency, or open loop). */
  public LoadReport run() throws InterruptedException {
    return run(spec.concurrency());
  }

  /**
   * One measurement at {@code concurrency} (ignored in open loop): warmup if the spec asks for it,
   * then the measured run, with the server's statistics read around it.
   */
  public LoadReport run(int concurrency) throws InterruptedException {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    String phase = spec.isOpenLoop() ? "rps=" + spec.rps() : "c=" + concurrency;
    Warmup w = spec.warmup();
    ServerStats before = probe.statistics();
    if (!w.isNone()) {
      Driven warm = drive(concurrency, w.requests(), w.duration(), "warmup " + phase);
      if (before != null) {
        // The warmup's last answers may be counted by the server just after they left it.
        before = settledStatistics(before, warm.measurement.statusCodes().getOrDefault("OK", 0L));
      }
    }
    Driven d = drive(concurrency, spec.total(), spec.duration(), phase);
    ServerStats server = null;
    if (before != null) {
      ServerStats after =
          settledStatistics(before, d.measurement.statusCodes().getOrDefault("OK", 0L));
      server = after == null ? null : ServerStats.delta(before, after);
    }
    String endReason =
        cancelled
            ? "cancel"
            : d.bound.timeBounded() && d.measurement.completed() < d.bound.calls()
                ? "timeout"
                : "normal";
    return ReportBuilder.build(
        spec, spec.isOpenLoop() ? 0 : concurrency, endReason, d.measurement, server);
  }

  /**
   * Unmeasured load at the spec's concurrency (its rate in open loop) for {@code time}, on this
   * runner's connections: for callers that warm up once before several {@link #run}s, so that the
   * measured calls travel on connections that are already warm.
   */
  public void warmUp(Duration time) throws InterruptedException {
    if (time.isNegative() || time.isZero()) {
      throw new IllegalArgumentException("a warm-up needs a positive time, got " + time);
    }
    drive(spec.concurrency(), 0, time, "warmup");
  }

  /**
   * perf_analyzer's concurrency sweep: one {@link #run(int)} per level, stopping early if
   * cancelled.
   *
   * @throws IllegalArgumentException if the spec is open-loop
   */
  public SweepReport sweep(ConcurrencyRange range) throws InterruptedException {
    Objects.requireNonNull(range, "range");
    if (spec.isOpenLoop()) {
      throw new IllegalArgumentException("a concurrency sweep is closed-loop; the spec sets rps");
    }
    List<LoadReport> levels = new ArrayList<>();
    for (int level : range.levels()) {
      if (cancelled) {
        break;
      }
      levels.add(run(level));
    }
    return new SweepReport(Instant.now(), spec, levels);
  }

  /** Stops starting calls; the run in progress returns once its calls complete. Any thread. */
  public void cancel() {
    cancelled = true;
    LoadLoop loop = current;
    if (loop != null) {
      loop.stop();
    }
  }

  /** Closes streams and connections. */
  @Override
  public void close() {
    cancel();
    sender.close();
    if (channels != null) {
      channels.close();
    }
    sampler.shutdownNow();
  }

  private record Driven(Measurement measurement, Bound bound) {}

  private Driven drive(int concurrency, long calls, Duration duration, String phase)
      throws InterruptedException {
    Measurement m = new Measurement();
    Bound bound = Bound.of(calls, duration, m.startNanos());
    LoadLoop loop =
        spec.isOpenLoop()
            ? new OpenLoop(
                sender, pool, m, bound, spec.rps(), spec.connections(), spec.maxOutstanding())
            : new ClosedLoop(sender, pool, m, bound, concurrency);
    current = loop;
    if (cancelled) {
      loop.stop();
    }
    long tick = tickNanos(duration);
    ScheduledFuture<?> ticker =
        sampler.scheduleAtFixedRate(
            () -> {
              m.sample();
              progress.onProgress(phase, fraction(m, calls, duration), m.completed());
            },
            tick,
            tick,
            TimeUnit.NANOSECONDS);
    try {
      loop.run();
    } finally {
      ticker.cancel(false);
      current = null;
    }
    try {
      // On the sampler thread, after any tick in progress: the sampling state is single-threaded.
      sampler
          .submit(
              () -> {
                m.finish();
                progress.onProgress(phase, 1, m.completed());
              })
          .get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("sampling failed", e.getCause());
    }
    return new Driven(m, bound);
  }

  /**
   * Statistics after a run. A server may count a request just after answering it, so the read is
   * repeated briefly until it accounts for the calls we saw succeed.
   */
  private ServerStats settledStatistics(ServerStats before, long succeeded)
      throws InterruptedException {
    long deadline = System.nanoTime() + STATS_SETTLE.toNanos();
    ServerStats after = probe.statistics();
    while (after != null
        && after.successCount() - before.successCount() < succeeded
        && System.nanoTime() < deadline) {
      // Polling is the only way to observe another process's counters.
      TimeUnit.MILLISECONDS.sleep(20);
      after = probe.statistics();
    }
    return after;
  }

  private static double fraction(Measurement m, long calls, Duration duration) {
    double f = 0;
    if (calls > 0) {
      f = Math.max(f, m.completed() / (double) calls);
    }
    if (!duration.isZero()) {
      f = Math.max(f, (System.nanoTime() - m.startNanos()) / (double) duration.toNanos());
    }
    return Math.min(1, f);
  }

  /** About 100 points over a timed run, between 50 ms and 5 s apart; 200 ms for counted runs. */
  private static long tickNanos(Duration duration) {
    if (duration.isZero()) {
      return TimeUnit.MILLISECONDS.toNanos(200);
    }
    return Math.max(
        TimeUnit.MILLISECONDS.toNanos(50),
        Math.min(TimeUnit.SECONDS.toNanos(5), duration.toNanos() / 100));
  }
}
