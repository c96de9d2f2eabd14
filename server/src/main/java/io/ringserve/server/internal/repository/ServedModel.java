package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelOutput;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.backend.LoadedModel;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version that is loaded and serving: its effective config, its scheduler, and its inputs
 * and outputs indexed by name for request validation.
 *
 * <p>A version being swapped out or unloaded must finish every request it accepted, so requests
 * enter through a gate: {@link #tryAcquire()} before submitting, {@link #release()} once answered.
 * {@link #retire} closes the gate, waits until every admitted request has been answered, and only
 * then stops the scheduler and frees the model. A caller refused by a closed gate resolves the
 * model again and finds the version that replaced it.
 *
 * <p>Thread-safe: the gate is two atomics (a counter and a volatile flag); the rest is immutable.
 */
public final class ServedModel {
  private static final System.Logger LOG = System.getLogger(ServedModel.class.getName());

  private final String name;
  private final long version;
  // Every answer names it: made once, not once per request.
  private final String versionString;
  private final ModelConfig config;
  private final LoadedModel loaded;
  private final ModelScheduler scheduler;
  private final Map<String, ModelInput> inputs;
  private final Map<String, ModelOutput> outputs;
  private final AtomicInteger admitted = new AtomicInteger();
  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile boolean retiring;

  ServedModel(
      String name, long version, ModelConfig config, LoadedModel loaded, ModelScheduler scheduler) {
    this.name = Objects.requireNonNull(name, "name");
    this.version = version;
    this.versionString = Long.toString(version);
    this.config = Objects.requireNonNull(config, "config");
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    Map<String, ModelInput> inputsByName = new LinkedHashMap<>();
    config.getInputList().forEach(i -> inputsByName.put(i.getName(), i));
    Map<String, ModelOutput> outputsByName = new LinkedHashMap<>();
    config.getOutputList().forEach(o -> outputsByName.put(o.getName(), o));
    // Read-only views made once: request validation walks the inputs on every request.
    this.inputs = Collections.unmodifiableMap(inputsByName);
    this.outputs = Collections.unmodifiableMap(outputsByName);
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  /** The version as the protocol writes it. */
  public String versionString() {
    return versionString;
  }

  /** The effective config: config.pbtxt completed from the model's signature. */
  public ModelConfig config() {
    return config;
  }

  /** The scheduler that batches and runs this version's requests. */
  public ModelScheduler scheduler() {
    return scheduler;
  }

  /** The config's input of that name, or {@code null}. */
  public ModelInput input(String inputName) {
    return inputs.get(inputName);
  }

  /** The config's inputs by name, in config order. */
  public Map<String, ModelInput> inputs() {
    return inputs;
  }

  /** The config's output of that name, or {@code null}. */
  public ModelOutput output(String outputName) {
    return outputs.get(outputName);
  }

  /**
   * Admits one request, which the caller must {@link #release()} once it is answered (whatever the
   * outcome). False once this version is retiring: the caller must not submit to it.
   */
  public boolean tryAcquire() {
    admitted.incrementAndGet();
    // Increment first, then read the flag; retire() sets the flag, then reads the count. Whichever
    // happens second sees the other's write, so no request slips past a retiring version's drain.
    if (retiring) {
      release();
      return false;
    }
    return true;
  }

  /** Ends one admission taken by {@link #tryAcquire()}. */
  public void release() {
    if (admitted.decrementAndGet() == 0 && retiring) {
      drained.countDown();
    }
  }

  /** Whether {@link #retire} has begun: this version takes no new requests. */
  public boolean isRetiring() {
    return retiring;
  }

  /**
   * Stops taking new requests, waits (at most {@code drainLimit}) until every admitted request has
   * been answered, then stops the scheduler and frees the model's native memory. Blocks; run it off
   * the request path.
   */
  void retire(Duration drainLimit) throws InterruptedException {
    retiring = true;
    if (admitted.get() == 0) {
      drained.countDown();
    }
    if (!drained.await(drainLimit.toNanos(), TimeUnit.NANOSECONDS)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "model ''{0}'' version {1}: {2} request(s) still unanswered after {3}; stopping it",
          name,
          version,
          admitted.get(),
          drainLimit);
    }
    // Whatever reached the scheduler without the gate (an in-process caller) gets a moment too.
    close(Duration.ofSeconds(1));
  }

  /** Stops the scheduler (letting queued work finish within {@code grace}) and frees the model. */
  void close(Duration grace) {
    retiring = true;
    try {
      scheduler.shutdown(grace);
    } finally {
      if (scheduler.isTerminated()) {
        loaded.close();
      } else {
        // Freeing a session a runner still uses would crash the process; leaking it does not.
        LOG.log(
            System.Logger.Level.WARNING,
            "model ''{0}'' version {1}: a runner is still running after the shutdown; its"
                + " native memory stays allocated",
            name,
            version);
      }
    }
  }
}
