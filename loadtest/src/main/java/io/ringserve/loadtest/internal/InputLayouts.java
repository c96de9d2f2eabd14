package io.ringserve.loadtest.internal;

import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.ringserve.loadtest.LoadTestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Works out what to send from the model's metadata: which dimension is the batch dimension, and the
 * concrete shape of every input, taking {@code --shape} and {@code --batch-size} into account.
 * Stateless.
 *
 * <p>The batch dimension is known for sure from {@code max_batch_size} when the server offers
 * Triton's {@code ModelConfig}; otherwise a leading {@code -1} on every input is taken as one.
 */
public final class InputLayouts {
  private InputLayouts() {}

  /**
   * @param maxBatchSize the model's {@code max_batch_size}, if the server told it
   * @param shapes {@code --shape} values: row shapes (without the batch dimension) by input name
   * @param variableAllowed whether dimensions may stay {@code -1} (a data file gives them)
   * @throws LoadTestException naming the input and what is wrong with the shapes or batch size
   */
  public static List<InputLayout> resolve(
      ModelMetadataResponse metadata,
      OptionalInt maxBatchSize,
      Map<String, List<Long>> shapes,
      int batchSize,
      boolean variableAllowed) {
    List<TensorMetadata> inputs = metadata.getInputsList();
    if (inputs.isEmpty()) {
      throw new LoadTestException("model '" + metadata.getName() + "' declares no inputs");
    }
    for (String name : shapes.keySet()) {
      if (inputs.stream().noneMatch(t -> t.getName().equals(name))) {
        throw new LoadTestException(
            "--shape "
                + name
                + ": model '"
                + metadata.getName()
                + "' has no input named "
                + name
                + " (inputs: "
                + inputs.stream().map(TensorMetadata::getName).collect(Collectors.joining(", "))
                + ")");
      }
    }
    boolean batching =
        maxBatchSize.isPresent()
            ? maxBatchSize.getAsInt() > 0
            : inputs.stream().allMatch(t -> t.getShapeCount() > 0 && t.getShape(0) == -1);
    if (!batching && batchSize > 1) {
      throw new LoadTestException(
          "--batch-size "
              + batchSize
              + ": model '"
              + metadata.getName()
              + "' has no batch dimension (max_batch_size 0)");
    }
    if (maxBatchSize.isPresent() && batching && batchSize > maxBatchSize.getAsInt()) {
      throw new LoadTestException(
          "--batch-size "
              + batchSize
              + " is over model '"
              + metadata.getName()
              + "''s max_batch_size "
              + maxBatchSize.getAsInt());
    }
    List<InputLayout> layouts = new ArrayList<>(inputs.size());
    for (TensorMetadata t : inputs) {
      List<Long> declared = t.getShapeList();
      List<Long> row =
          batching && !declared.isEmpty() ? declared.subList(1, declared.size()) : declared;
      List<Long> given = shapes.get(t.getName());
      List<Long> resolved =
          given == null ? row : fit("--shape " + t.getName(), declared, row, given);
      if (resolved.contains(-1L) && !variableAllowed) {
        throw new LoadTestException(
            "input "
                + t.getName()
                + " has variable shape "
                + declared
                + "; give it with --shape "
                + t.getName()
                + ":"
                + row.stream()
                    .map(d -> d == -1 ? "N" : d.toString())
                    .collect(Collectors.joining(","))
                + (batching ? " (without the batch dimension)" : ""));
      }
      layouts.add(
          new InputLayout(
              t.getName(), t.getDatatype(), declared, resolved, batching ? batchSize : 0));
    }
    return List.copyOf(layouts);
  }

  /**
   * Checks a given row shape against the model's, returning it.
   *
   * @param what the option being checked, for the message ({@code --shape INPUT0})
   * @param declared the model's full shape, for the message
   * @param row the model's row shape ({@code -1} for variable dimensions)
   */
  static List<Long> fit(String what, List<Long> declared, List<Long> row, List<Long> given) {
    if (given.size() != row.size()) {
      throw new LoadTestException(
          what
              + ": the model's shape is "
              + declared
              + ", so it needs "
              + row.size()
              + " dimension(s)"
              + (declared.size() != row.size() ? " (without the batch dimension)" : "")
              + ", got "
              + given.size());
    }
    for (int i = 0; i < row.size(); i++) {
      if (row.get(i) != -1 && !row.get(i).equals(given.get(i))) {
        throw new LoadTestException(
            what
                + ": dimension "
                + i
                + " is fixed at "
                + row.get(i)
                + " by the model (shape "
                + declared
                + "), got "
                + given.get(i));
      }
    }
    return given;
  }
}
