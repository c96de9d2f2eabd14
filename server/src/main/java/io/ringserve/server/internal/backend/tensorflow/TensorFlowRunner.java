package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.internal.backend.BatchInputs;
import io.ringserve.server.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * Runs batches through the serving signature of a {@link TensorFlowSavedModel}: one session call
 * per batch, fetching only the outputs the batch asks for.
 *
 * <p>Cost per batch: one {@code memcpy} per fixed-size input into a session call prepared for the
 * batch's shapes ({@link PreparedRuns}), one heap allocation and copy per output, plus the graph
 * execution itself. A batch of a shape not prepared (BYTES inputs, very large batches, more shapes
 * than are kept) gets its input tensors made for it, one native allocation each (BYTES tensors are
 * converted element by element, see {@link InputConverter}), closed before {@link #run} returns,
 * also on failure. The graph tensors to feed and fetch are looked up once, here, not per batch. The
 * prepared calls' tensors stay in native memory until {@link #close}.
 *
 * <p>Threading: used by one worker thread at a time, as {@link ModelRunner} requires. Several
 * runners of one model may run at once; the session they share is thread-safe.
 */
public final class TensorFlowRunner implements ModelRunner {
  private final Session session;
  private final List<SignatureTensor> inputs;
  private final List<SignatureTensor> outputs;
  private final List<Output<?>> inputOperands;
  private final List<Output<?>> outputOperands;
  private final List<TensorSpec> inputSpecs;
  private final List<Integer> allOutputs;
  private final PreparedRuns prepared;

  TensorFlowRunner(Session session, ServingSignature signature) {
    this.session = Objects.requireNonNull(session, "session");
    this.inputs = signature.inputs();
    this.outputs = signature.outputs();
    this.inputOperands = operands(session.graph(), inputs);
    this.outputOperands = operands(session.graph(), outputs);
    // Fixed for the runner's life: built once instead of per batch.
    this.inputSpecs = inputs.stream().map(SignatureTensor::spec).toList();
    List<Integer> all = new ArrayList<>(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      all.add(i);
    }
    this.allOutputs = List.copyOf(all);
    this.prepared = new PreparedRuns(session, inputs, inputOperands, outputOperands);
  }

  private static List<Output<?>> operands(Graph graph, List<SignatureTensor> tensors) {
    List<Output<?>> operands = new ArrayList<>(tensors.size());
    for (SignatureTensor tensor : tensors) {
      GraphOperation operation = graph.operation(tensor.operation());
      if (operation == null) {
        throw new IllegalStateException(
            "signature tensor '"
                + tensor.key()
                + "' names operation '"
                + tensor.operation()
                + "', which the graph lacks");
      }
      operands.add(operation.output(tensor.outputIndex()));
    }
    return List.copyOf(operands);
  }

  @Override
  public List<Tensor> run(Batch batch) {
    List<Integer> fetched = selectOutputs(batch.requestedOutputs());
    BatchInputs.checkNames(batch, inputSpecs);
    Tensor[] batchInputs = new Tensor[inputs.size()];
    for (int i = 0; i < batchInputs.length; i++) {
      batchInputs[i] = BatchInputs.checked(batch, inputs.get(i).spec());
    }
    Session.Runner call = prepared.prepare(batchInputs, fetched);
    if (call != null) {
      batch.markInputsReady();
      return runAndConvert(batch, call, fetched);
    }
    List<org.tensorflow.Tensor> fed = new ArrayList<>(inputs.size());
    try {
      call = session.runner();
      for (int i = 0; i < batchInputs.length; i++) {
        org.tensorflow.Tensor tensor =
            InputConverter.toTensorFlow(batchInputs[i], inputs.get(i).tensorClass());
        fed.add(tensor);
        call.feed(inputOperands.get(i), tensor);
      }
      for (int index : fetched) {
        call.fetch(outputOperands.get(index));
      }
      batch.markInputsReady();
      return runAndConvert(batch, call, fetched);
    } finally {
      for (org.tensorflow.Tensor tensor : fed) {
        tensor.close();
      }
    }
  }

  private List<Tensor> runAndConvert(Batch batch, Session.Runner call, List<Integer> fetched) {
    try (Result result = execute(call)) {
      batch.markInferenceDone();
      List<Tensor> converted = new ArrayList<>(fetched.size());
      for (int i = 0; i < fetched.size(); i++) {
        SignatureTensor spec = outputs.get(fetched.get(i));
        converted.add(OutputConverter.fromTensorFlow(spec.key(), spec.dataType(), result.get(i)));
      }
      return converted;
    }
  }

  /** The calls this runner keeps prepared: for tests of their bounds and reuse. */
  PreparedRuns prepared() {
    return prepared;
  }

  /** Closes the tensors of the prepared calls; the session belongs to the model. */
  @Override
  public void close() {
    prepared.close();
  }

  /**
   * Runs the session. TensorFlow reports input the graph cannot handle (a string that is no number,
   * a shape an operation refuses) as INVALID_ARGUMENT; that is the caller's error, as in Triton,
   * while everything else stays a model error.
   */
  private static Result execute(Session.Runner call) {
    try {
      return call.run();
    } catch (TFInvalidArgumentException e) {
      throw new InferenceException(
          InferenceException.Reason.INVALID_INPUT,
          "the model rejected the input: " + withoutGraphInternals(e.getMessage()),
          e);
    }
  }

  // TensorFlow appends the failing node ("[[{{node ToNumber}}]]") and, on later lines, its stack:
  // graph internals that are not the caller's business.
  private static final Pattern NODE_NAMES =
      Pattern.compile("\\s*\\[\\[\\{\\{node [^}]*\\}\\}\\]\\]");

  /** TensorFlow's reason for refusing an input, without node names or anything past its line. */
  static String withoutGraphInternals(String message) {
    if (message == null) {
      return "invalid input";
    }
    String firstLine = message.strip().lines().findFirst().orElse("");
    return NODE_NAMES.matcher(firstLine).replaceAll("").strip();
  }

  /** Indexes into {@link #outputs} of the outputs to fetch, in the model's output order. */
  private List<Integer> selectOutputs(Set<String> requested) {
    if (requested.isEmpty()) {
      return allOutputs;
    }
    List<Integer> selected = new ArrayList<>(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      if (requested.isEmpty() || requested.contains(outputs.get(i).key())) {
        selected.add(i);
      }
    }
    if (selected.size() < requested.size()) {
      for (String name : requested) {
        if (outputs.stream().noneMatch(output -> output.key().equals(name))) {
          throw new InferenceException(
              InferenceException.Reason.INVALID_INPUT,
              "requested output '" + name + "' is not an output of the model");
        }
      }
    }
    return selected;
  }
}
