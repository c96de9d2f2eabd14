package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.internal.backend.BatchInputs;
import io.ringserve.server.model.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs batches through one ONNX Runtime session: one {@code run} call per batch, fetching only the
 * outputs the batch asks for, returned in the graph's output order.
 *
 * <p>Cost per batch: at most one {@code memcpy} per fixed-size input (none when the input is
 * already in a direct buffer, see {@link InputConverter}) and one per output, plus the session run.
 * Every ONNX Runtime tensor and result made for a batch is closed before {@link #run} returns, also
 * on failure.
 *
 * <p>Threading: used by one worker thread at a time, as {@link ModelRunner} requires (it reuses its
 * input buffers). Several runners may share one session: ONNX Runtime runs a session from several
 * threads at once.
 */
final class OnnxRunner implements ModelRunner {
  private final OrtSession session;
  private final OnnxSignature signature;
  private final InputConverter converter;

  OnnxRunner(OrtEnvironment env, OrtSession session, OnnxSignature signature) {
    this.session = Objects.requireNonNull(session, "session");
    this.signature = Objects.requireNonNull(signature, "signature");
    this.converter = new InputConverter(env, signature.inputs().size());
  }

  @Override
  public List<Tensor> run(Batch batch) throws OrtException {
    Set<String> fetched = selectOutputs(batch.requestedOutputs());
    BatchInputs.checkNames(batch, signature.inputs());
    List<TensorSpec> inputs = signature.inputs();
    Map<String, OnnxTensor> fed = new LinkedHashMap<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        TensorSpec spec = inputs.get(i);
        fed.put(spec.name(), converter.toOnnx(i, BatchInputs.checked(batch, spec)));
      }
      batch.markInputsReady();
      try (OrtSession.Result result = execute(fed, fetched)) {
        batch.markInferenceDone();
        List<Tensor> converted = new ArrayList<>(fetched.size());
        for (String name : fetched) {
          TensorSpec spec = signature.outputs().get(signature.outputIndex(name));
          OnnxValue value =
              result
                  .get(name)
                  .orElseThrow(() -> new IllegalStateException("ONNX Runtime omitted " + name));
          if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output '" + name + "' is not a tensor: " + value);
          }
          converted.add(OutputConverter.fromOnnx(name, spec.dataType(), tensor));
        }
        return converted;
      }
    } finally {
      fed.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Runs the session. ONNX Runtime reports input the graph cannot take (a shape an operator
   * refuses) as INVALID_ARGUMENT; that is the caller's error, as in Triton, while everything else
   * stays a model error.
   */
  private OrtSession.Result execute(Map<String, OnnxTensor> inputs, Set<String> outputs)
      throws OrtException {
    try {
      return session.run(inputs, outputs);
    } catch (OrtException e) {
      if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
        throw new InferenceException(
            InferenceException.Reason.INVALID_INPUT,
            "the model rejected the input: " + e.getMessage(),
            e);
      }
      throw e;
    }
  }

  /** The names of the outputs to fetch, in the graph's output order. */
  private Set<String> selectOutputs(Set<String> requested) {
    Set<String> selected = new LinkedHashSet<>();
    for (TensorSpec output : signature.outputs()) {
      if (requested.isEmpty() || requested.contains(output.name())) {
        selected.add(output.name());
      }
    }
    for (String name : requested) {
      if (!selected.contains(name)) {
        throw BatchInputs.invalid("requested output '" + name + "' is not an output of the model");
      }
    }
    return selected;
  }
}
