package io.ringserve.batching;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One caller's request to one model version: its input tensors, which outputs it wants, its
 * priority and time limits, a way to tell whether the caller gave up, and where the answer goes.
 *
 * <p>Immutable apart from its completion, which is guarded so that the callback runs exactly once
 * however many threads race to complete the request ({@link #succeed} and {@link #fail} return
 * whether they won).
 */
public final class InferenceRequest {
  /** A deadline that never passes. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private static final VarHandle COMPLETED;

  static {
    try {
      COMPLETED =
          MethodHandles.lookup().findVarHandle(InferenceRequest.class, "completed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String id;
  private final List<Tensor> inputs;
  private final List<String> requestedOutputs;
  private final int priorityLevel;
  private final long timeoutMicros;
  private final long deadlineNanos;
  private final BooleanSupplier cancelled;
  private final InferenceCallback callback;
  private final long arrivalNanos;
  private final long batchSize;

  // 0 until answered, then 1; flipped by CAS so that exactly one answer wins. A field of the
  // request rather than an AtomicBoolean: one object and one pointer chase less per request.
  private volatile int completed;

  private InferenceRequest(Builder b) {
    this(
        b.id,
        b.inputs,
        b.requestedOutputs,
        b.priorityLevel,
        b.timeoutMicros,
        b.deadlineNanos,
        b.cancelled,
        b.callback,
        b.arrivalNanos);
  }

  private InferenceRequest(
      String id,
      List<Tensor> inputs,
      List<String> requestedOutputs,
      int priorityLevel,
      long timeoutMicros,
      long deadlineNanos,
      BooleanSupplier cancelled,
      InferenceCallback callback,
      long arrivalNanos) {
    this.id = Objects.requireNonNull(id, "id");
    this.inputs = List.copyOf(inputs);
    this.requestedOutputs = List.copyOf(requestedOutputs);
    this.priorityLevel = checkPriority(priorityLevel);
    this.timeoutMicros = checkTimeout(timeoutMicros);
    this.deadlineNanos = deadlineNanos;
    this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
    this.callback = Objects.requireNonNull(callback, "callback");
    this.arrivalNanos = arrivalNanos != 0 ? arrivalNanos : System.nanoTime();
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("inputs must not be empty");
    }
    Tensor first = inputs.get(0);
    this.batchSize = first.rank() == 0 ? 1 : first.dim(0);
  }

  /**
   * The same request answered through {@code wrapper} instead: a wrapping scheduler's way to learn
   * when a request is answered, without building the request again (no list copies, no builder).
   */
  InferenceRequest withCallback(InferenceCallback wrapper) {
    return new InferenceRequest(this, wrapper);
  }

  private InferenceRequest(InferenceRequest original, InferenceCallback callback) {
    this.id = original.id;
    this.inputs = original.inputs;
    this.requestedOutputs = original.requestedOutputs;
    this.priorityLevel = original.priorityLevel;
    this.timeoutMicros = original.timeoutMicros;
    this.deadlineNanos = original.deadlineNanos;
    this.cancelled = original.cancelled;
    this.callback = Objects.requireNonNull(callback, "callback");
    this.arrivalNanos = original.arrivalNanos;
    this.batchSize = original.batchSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A request arriving now, as {@link #builder} would build it from these values, without a
   * builder: the server's path makes one per call. The lists are copied unless already immutable.
   *
   * @throws IllegalArgumentException as the builder's setters and {@link Builder#build} do
   */
  public static InferenceRequest of(
      String id,
      List<Tensor> inputs,
      List<String> requestedOutputs,
      int priorityLevel,
      long timeoutMicros,
      long deadlineNanos,
      BooleanSupplier cancelled,
      InferenceCallback callback) {
    return new InferenceRequest(
        id,
        inputs,
        requestedOutputs,
        priorityLevel,
        timeoutMicros,
        deadlineNanos,
        cancelled,
        callback,
        0);
  }

  private static int checkPriority(int priorityLevel) {
    if (priorityLevel < 0) {
      throw new IllegalArgumentException("priorityLevel must be >= 0, got " + priorityLevel);
    }
    return priorityLevel;
  }

  private static long checkTimeout(long timeoutMicros) {
    if (timeoutMicros < 0) {
      throw new IllegalArgumentException("timeoutMicros must be >= 0, got " + timeoutMicros);
    }
    return timeoutMicros;
  }

  /** The caller's request id (may be empty); echoed in the response. */
  public String id() {
    return id;
  }

  /** The input tensors, in the caller's order. */
  public List<Tensor> inputs() {
    return inputs;
  }

  /** The outputs the caller asked for; empty means all of the model's outputs. */
  public List<String> requestedOutputs() {
    return requestedOutputs;
  }

  /** The requested priority level (1 is highest); 0 means the model's default level. */
  public int priorityLevel() {
    return priorityLevel;
  }

  /** The requested queue timeout in microseconds; 0 means the queue policy's default. */
  public long timeoutMicros() {
    return timeoutMicros;
  }

  /** The caller's deadline on the {@link System#nanoTime()} clock, or {@link #NO_DEADLINE}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** When the request arrived, on the {@link System#nanoTime()} clock. */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** The request's batch size: dimension 0 of its first input (for models that batch). */
  public long batchSize() {
    return batchSize;
  }

  /**
   * True once the caller has cancelled (for example the gRPC call was cancelled). A cancellation
   * check that throws counts as cancelled: it runs on the scheduler's threads, which must survive
   * anything a caller supplies.
   */
  public boolean isCancelled() {
    try {
      return cancelled.getAsBoolean();
    } catch (Throwable broken) {
      return true;
    }
  }

  /** True once the request has been answered. */
  public boolean isCompleted() {
    return completed != 0;
  }

  /**
   * Answers the request with its outputs, unless it was answered already.
   *
   * @return true if this call answered the request
   */
  public boolean succeed(List<Tensor> outputs) {
    if (!COMPLETED.compareAndSet(this, 0, 1)) {
      return false;
    }
    callback.onSuccess(outputs);
    return true;
  }

  /**
   * Answers the request with a failure, unless it was answered already.
   *
   * @return true if this call answered the request
   */
  public boolean fail(InferenceException failure) {
    if (!COMPLETED.compareAndSet(this, 0, 1)) {
      return false;
    }
    callback.onFailure(failure);
    return true;
  }

  @Override
  public String toString() {
    return "InferenceRequest{id=" + id + ", inputs=" + inputs + "}";
  }

  /** Builds an {@link InferenceRequest}; not thread-safe. */
  public static final class Builder {
    private String id = "";
    private List<Tensor> inputs = List.of();
    private List<String> requestedOutputs = List.of();
    private int priorityLevel;
    private long timeoutMicros;
    private long deadlineNanos = NO_DEADLINE;
    private BooleanSupplier cancelled = () -> false;
    private InferenceCallback callback;
    private long arrivalNanos;

    private Builder() {}

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder inputs(List<Tensor> inputs) {
      this.inputs = Objects.requireNonNull(inputs, "inputs");
      return this;
    }

    public Builder requestedOutputs(List<String> requestedOutputs) {
      this.requestedOutputs = Objects.requireNonNull(requestedOutputs, "requestedOutputs");
      return this;
    }

    public Builder priorityLevel(int priorityLevel) {
      this.priorityLevel = checkPriority(priorityLevel);
      return this;
    }

    public Builder timeoutMicros(long timeoutMicros) {
      this.timeoutMicros = checkTimeout(timeoutMicros);
      return this;
    }

    public Builder deadlineNanos(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
      return this;
    }

    public Builder cancelled(BooleanSupplier cancelled) {
      this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
      return this;
    }

    public Builder callback(InferenceCallback callback) {
      this.callback = Objects.requireNonNull(callback, "callback");
      return this;
    }

    /** Overrides the arrival time (tests and replays); defaults to the time of {@link #build}. */
    public Builder arrivalNanos(long arrivalNanos) {
      this.arrivalNanos = arrivalNanos;
      return this;
    }

    public InferenceRequest build() {
      return new InferenceRequest(this);
    }
  }
}
