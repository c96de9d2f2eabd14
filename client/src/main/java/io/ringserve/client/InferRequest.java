package io.ringserve.client;

import inference.GrpcService.InferParameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One inference request: the model (and optionally its version), the input tensors, the outputs
 * wanted (all by default) and optional parameters. Built with {@link #builder(String)}:
 *
 * <pre>{@code
 * InferRequest request = InferRequest.builder("simple")
 *     .input(Tensor.of("INPUT0", a, 1, 16))
 *     .input(Tensor.of("INPUT1", b, 1, 16))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; one request may be sent any number of times. Tensor data is sent in
 * the protocol's raw form ({@code raw_input_contents}) unless {@link Builder#typedContents()} asks
 * for typed fields, which a few older servers require.
 */
public final class InferRequest {
  private final String model;
  private final String version;
  private final String id;
  private final List<Tensor> inputs;
  private final List<String> outputs;
  private final Map<String, InferParameter> parameters;
  private final boolean typedContents;

  private InferRequest(Builder b) {
    this.model = b.model;
    this.version = b.version;
    this.id = b.id;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.parameters));
    this.typedContents = b.typedContents;
  }

  /** A builder for a request to {@code model}. */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  public String model() {
    return model;
  }

  /** The model version, or {@code ""} for the server's choice (normally the latest). */
  public String version() {
    return version;
  }

  /** The request id echoed back by the server, or {@code ""}. */
  public String id() {
    return id;
  }

  public List<Tensor> inputs() {
    return inputs;
  }

  /** The outputs asked for; empty means all of the model's outputs. */
  public List<String> outputs() {
    return outputs;
  }

  public Map<String, InferParameter> parameters() {
    return parameters;
  }

  /** Whether tensor data goes in typed fields instead of raw bytes. */
  public boolean typedContents() {
    return typedContents;
  }

  /** A builder starting from this request, for example to send it again with another id. */
  public Builder toBuilder() {
    Builder b = new Builder(model).version(version).id(id);
    inputs.forEach(b::input);
    b.outputs.addAll(outputs);
    b.parameters.putAll(parameters);
    b.typedContents = typedContents;
    return b;
  }

  /** Collects a request's parts; not thread-safe. */
  public static final class Builder {
    private final String model;
    private String version = "";
    private String id = "";
    private final List<Tensor> inputs = new ArrayList<>();
    private final Set<String> inputNames = new HashSet<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, InferParameter> parameters = new LinkedHashMap<>();
    private boolean typedContents;

    private Builder(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model name must not be blank");
      }
      this.model = model;
    }

    /** The model version to run; {@code ""} (the default) lets the server choose. */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** An id the server echoes back; streams use it to match answers to requests. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Adds an input tensor.
     *
     * @throws IllegalArgumentException if an input of the same name was already added
     */
    public Builder input(Tensor tensor) {
      Objects.requireNonNull(tensor, "tensor");
      if (!inputNames.add(tensor.name())) {
        throw new IllegalArgumentException("input " + tensor.name() + " was added twice");
      }
      inputs.add(tensor);
      return this;
    }

    /** Asks for output {@code name}; once any output is asked for, only those come back. */
    public Builder output(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("output name must not be empty");
      }
      if (!outputs.contains(name)) {
        outputs.add(name);
      }
      return this;
    }

    /** A request parameter, as the server defines them. */
    public Builder parameter(String key, InferParameter value) {
      parameters.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Triton's {@code priority} parameter: 1 is the highest level; 0 means the model default. */
    public Builder priority(long level) {
      if (level < 0) {
        throw new IllegalArgumentException("priority must be >= 0, got " + level);
      }
      return parameter("priority", InferParameter.newBuilder().setUint64Param(level).build());
    }

    /**
     * Triton's {@code timeout} parameter: the server drops the request if it is still queued after
     * this long. Independent of the call's gRPC deadline.
     */
    public Builder queueTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("queueTimeout must be positive, got " + timeout);
      }
      long micros = Math.max(1, timeout.toNanos() / 1000);
      return parameter("timeout", InferParameter.newBuilder().setInt64Param(micros).build());
    }

    /** Sends tensor data in typed fields ({@code contents}) instead of raw bytes. */
    public Builder typedContents() {
      this.typedContents = true;
      return this;
    }

    /**
     * The request.
     *
     * @throws IllegalStateException if no input was added
     */
    public InferRequest build() {
      if (inputs.isEmpty()) {
        throw new IllegalStateException("request to model " + model + " has no inputs");
      }
      return new InferRequest(this);
    }
  }
}
