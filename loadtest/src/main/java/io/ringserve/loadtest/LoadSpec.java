package io.ringserve.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one load test needs: the target, the model, how inputs are made, how load is applied
 * and how long it lasts. Immutable and thread-safe; build one with {@link #builder(Target,
 * String)}.
 *
 * <p>Load is closed-loop ({@link #concurrency()} calls always outstanding) unless {@link #rps()} is
 * positive, in which case it is open-loop: calls start at fixed intervals whatever the server does,
 * and latency is measured from each call's intended start. Every run is bounded by {@link #total()}
 * calls and/or {@link #duration()}, whichever comes first; with neither given, {@link
 * #DEFAULT_DURATION} applies.
 */
public final class LoadSpec {
  /** The bound applied when neither a total nor a duration is given. */
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

  private final Target target;
  private final String model;
  private final String modelVersion;
  private final int batchSize;
  private final Map<String, List<Long>> shapes;
  private final Path dataFile;
  private final ContentsMode contents;
  private final int concurrency;
  private final double rps;
  private final long total;
  private final Duration duration;
  private final int connections;
  private final Warmup warmup;
  private final boolean stream;
  private final Protocol protocol;
  private final int poolSize;
  private final long seed;
  private final int maxOutstanding;

  private LoadSpec(Builder b) {
    this.target = b.target;
    this.model = b.model;
    this.modelVersion = b.modelVersion;
    this.batchSize = b.batchSize;
    this.shapes = Map.copyOf(b.shapes);
    this.dataFile = b.dataFile;
    this.contents = b.contents;
    this.concurrency = b.concurrency;
    this.rps = b.rps;
    this.total = b.total;
    this.duration = b.total == 0 && b.duration.isZero() ? DEFAULT_DURATION : b.duration;
    this.connections = b.connections;
    this.warmup = b.warmup;
    this.stream = b.stream;
    this.protocol = b.protocol;
    this.poolSize = b.poolSize;
    this.seed = b.seed;
    this.maxOutstanding = b.maxOutstanding;
  }

  /** A builder for load on {@code model} at {@code target}, with defaults for everything else. */
  public static Builder builder(Target target, String model) {
    return new Builder(target, model);
  }

  /** A builder starting from this spec's values. */
  public Builder toBuilder() {
    Builder b = new Builder(target, model);
    b.modelVersion = modelVersion;
    b.batchSize = batchSize;
    b.shapes.putAll(shapes);
    b.dataFile = dataFile;
    b.contents = contents;
    b.concurrency = concurrency;
    b.rps = rps;
    b.total = total;
    b.duration = duration;
    b.connections = connections;
    b.warmup = warmup;
    b.stream = stream;
    b.protocol = protocol;
    b.poolSize = poolSize;
    b.seed = seed;
    b.maxOutstanding = maxOutstanding;
    return b;
  }

  public Target target() {
    return target;
  }

  public String model() {
    return model;
  }

  /** The model version; empty lets the server choose. */
  public String modelVersion() {
    return modelVersion;
  }

  /** Rows per request along the batch dimension (client-side batching). */
  public int batchSize() {
    return batchSize;
  }

  /** Shapes (without the batch dimension) for inputs with variable dimensions, by input name. */
  public Map<String, List<Long>> shapes() {
    return shapes;
  }

  /** A JSON file of named inputs to send instead of random data, or {@code null}. */
  public Path dataFile() {
    return dataFile;
  }

  public ContentsMode contents() {
    return contents;
  }

  /** Calls outstanding at once in closed loop; ignored in open loop. */
  public int concurrency() {
    return concurrency;
  }

  /** Calls started per second in open loop; 0 for closed loop. */
  public double rps() {
    return rps;
  }

  /** Whether calls start on a fixed schedule ({@link #rps()} &gt; 0). */
  public boolean isOpenLoop() {
    return rps > 0;
  }

  /** Calls to measure; 0 for no count bound. */
  public long total() {
    return total;
  }

  /** Time to measure; {@link Duration#ZERO} for no time bound. */
  public Duration duration() {
    return duration;
  }

  /** gRPC channels (TCP connections) the calls are spread over. */
  public int connections() {
    return connections;
  }

  public Warmup warmup() {
    return warmup;
  }

  /**
   * Whether calls go over {@code ModelStreamInfer} streams (one per connection) instead of unary.
   */
  public boolean stream() {
    return stream;
  }

  /** gRPC (the default) or HTTP. */
  public Protocol protocol() {
    return protocol;
  }

  /** Distinct pre-built requests cycled through (inputs are made once, before the run). */
  public int poolSize() {
    return poolSize;
  }

  /** Seed of the random input values, so that runs are repeatable. */
  public long seed() {
    return seed;
  }

  /** Open loop only: the most calls in flight; the schedule waits (and latency grows) past it. */
  public int maxOutstanding() {
    return maxOutstanding;
  }

  /** Builds a {@link LoadSpec}; not thread-safe. Every setter checks its argument at once. */
  public static final class Builder {
    private Target target;
    private String model;
    private String modelVersion = "";
    private int batchSize = 1;
    private final Map<String, List<Long>> shapes = new LinkedHashMap<>();
    private Path dataFile;
    private ContentsMode contents = ContentsMode.RAW;
    private int concurrency = 1;
    private double rps;
    private long total;
    private Duration duration = Duration.ZERO;
    private int connections = 1;
    private Warmup warmup = Warmup.NONE;
    private boolean stream;
    private Protocol protocol = Protocol.GRPC;
    private int poolSize = 16;
    private long seed = 1;
    private int maxOutstanding = 10_000;

    private Builder(Target target, String model) {
      target(target);
      model(model);
    }

    public Builder target(Target value) {
      this.target = Objects.requireNonNull(value, "target");
      return this;
    }

    public Builder model(String value) {
      Objects.requireNonNull(value, "model");
      if (value.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = value;
      return this;
    }

    public Builder modelVersion(String value) {
      this.modelVersion = Objects.requireNonNull(value, "modelVersion");
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = positive(value, "batchSize");
      return this;
    }

    /** Sets the shape (without the batch dimension) of input {@code name}. */
    public Builder shape(String name, List<Long> dims) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dims, "dims");
      for (Long d : dims) {
        if (d == null || d < 0) {
          throw new IllegalArgumentException(
              "shape of " + name + " must have dimensions >= 0, got " + dims);
        }
      }
      shapes.put(name, List.copyOf(dims));
      return this;
    }

    public Builder dataFile(Path value) {
      this.dataFile = value;
      return this;
    }

    public Builder contents(ContentsMode value) {
      this.contents = Objects.requireNonNull(value, "contents");
      return this;
    }

    public Builder concurrency(int value) {
      this.concurrency = positive(value, "concurrency");
      return this;
    }

    /** Open loop at {@code value} calls per second; 0 switches back to closed loop. */
    public Builder rps(double value) {
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("rps must be a finite number >= 0, got " + value);
      }
      this.rps = value;
      return this;
    }

    public Builder total(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("total must be >= 0, got " + value);
      }
      this.total = value;
      return this;
    }

    public Builder duration(Duration value) {
      Objects.requireNonNull(value, "duration");
      if (value.isNegative()) {
        throw new IllegalArgumentException("duration must not be negative, got " + value);
      }
      this.duration = value;
      return this;
    }

    public Builder connections(int value) {
      this.connections = positive(value, "connections");
      return this;
    }

    public Builder warmup(Warmup value) {
      this.warmup = Objects.requireNonNull(value, "warmup");
      return this;
    }

    public Builder stream(boolean value) {
      this.stream = value;
      return this;
    }

    public Builder protocol(Protocol value) {
      this.protocol = Objects.requireNonNull(value, "protocol");
      return this;
    }

    public Builder poolSize(int value) {
      this.poolSize = positive(value, "poolSize");
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder maxOutstanding(int value) {
      this.maxOutstanding = positive(value, "maxOutstanding");
      return this;
    }

    /**
     * @throws IllegalArgumentException if HTTP is asked for with streaming or TLS, which the HTTP
     *     sender does not do
     */
    public LoadSpec build() {
      if (protocol == Protocol.HTTP && stream) {
        throw new IllegalArgumentException("streaming is gRPC only; HTTP calls are unary");
      }
      if (protocol == Protocol.HTTP && target.tls().enabled()) {
        throw new IllegalArgumentException("TLS is not supported over HTTP by the load generator");
      }
      return new LoadSpec(this);
    }

    private static int positive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, got " + value);
      }
      return value;
    }
  }
}
