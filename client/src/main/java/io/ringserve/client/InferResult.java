package io.ringserve.client;

import inference.GrpcService.ModelInferResponse;
import io.ringserve.client.internal.InferCodec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to one inference request: the model and version that ran it, the request id, and the
 * output tensors by name. Outputs are decoded once, when the result is made, from raw or typed
 * contents alike.
 *
 * <p>Immutable and thread-safe.
 */
public final class InferResult {
  private final ModelInferResponse response;
  private final Map<String, Tensor> outputs;

  private InferResult(ModelInferResponse response, Map<String, Tensor> outputs) {
    this.response = response;
    this.outputs = outputs;
  }

  /**
   * Decodes a response.
   *
   * @throws IllegalStateException if the response's tensors are malformed (data not matching a
   *     shape, raw and typed contents mixed)
   */
  public static InferResult of(ModelInferResponse response) {
    Objects.requireNonNull(response, "response");
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    for (Tensor t : InferCodec.decodeOutputs(response)) {
      outputs.put(t.name(), t);
    }
    return new InferResult(response, Collections.unmodifiableMap(outputs));
  }

  public String model() {
    return response.getModelName();
  }

  public String version() {
    return response.getModelVersion();
  }

  /** The id of the request, as the server echoed it. */
  public String id() {
    return response.getId();
  }

  /**
   * The output tensor {@code name}.
   *
   * @throws IllegalArgumentException if the response has no such output, naming those it has
   */
  public Tensor output(String name) {
    Tensor t = outputs.get(Objects.requireNonNull(name, "name"));
    if (t == null) {
      throw new IllegalArgumentException(
          "model " + model() + " returned no output " + name + "; it returned " + outputs.keySet());
    }
    return t;
  }

  /** Every output, by name, in the server's order. */
  public Map<String, Tensor> outputs() {
    return outputs;
  }

  /** The output tensors in the server's order. */
  public List<Tensor> outputList() {
    return List.copyOf(outputs.values());
  }

  /** The protocol message as received. */
  public ModelInferResponse response() {
    return response;
  }

  @Override
  public String toString() {
    return "InferResult{model=" + model() + ", id=" + id() + ", outputs=" + outputs.values() + "}";
  }
}
