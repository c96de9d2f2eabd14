package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs of an ONNX model's graph as RingServe uses them: named as in the graph, in
 * the graph's own order (an ONNX graph lists its inputs and outputs in order, unlike a SavedModel
 * signature map), with the protocol type and the full shape, -1 for symbolic or unknown dimensions.
 *
 * <p>Immutable and thread-safe.
 *
 * @param inputs the graph's inputs, in graph order
 * @param outputs the graph's outputs, in graph order; runners return outputs in this order
 */
record OnnxSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

  OnnxSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * Reads the signature of a loaded session.
   *
   * @param modelFile only for error messages
   * @throws ModelLoadException naming the tensor if it is no tensor (a sequence or map) or has a
   *     type ONNX Runtime Java cannot feed or fetch
   */
  static OnnxSignature read(OrtSession session, Path modelFile) throws ModelLoadException {
    try {
      return new OnnxSignature(
          specs(session.getInputInfo(), "input", modelFile),
          specs(session.getOutputInfo(), "output", modelFile));
    } catch (OrtException e) {
      throw new ModelLoadException(
          "cannot read the inputs and outputs of ONNX model " + modelFile + ": " + e.getMessage(),
          e);
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, String role, Path file)
      throws ModelLoadException {
    List<TensorSpec> specs = new ArrayList<>(nodes.size());
    for (NodeInfo node : nodes.values()) {
      String where = role + " '" + node.getName() + "' of ONNX model " + file;
      if (!(node.getInfo() instanceof TensorInfo tensor)) {
        throw new ModelLoadException(
            where + " is a " + node.getInfo() + "; only tensors are supported");
      }
      DataType dataType = OnnxTypes.toDataType(tensor.onnxType);
      if (dataType == null) {
        throw new ModelLoadException(
            where
                + " has type "
                + tensor.onnxType
                + ", which ONNX Runtime Java cannot feed or fetch");
      }
      long[] shape = tensor.getShape();
      for (int d = 0; d < shape.length; d++) {
        shape[d] = shape[d] < 0 ? -1 : shape[d];
      }
      specs.add(new TensorSpec(node.getName(), dataType, shape));
    }
    return specs;
  }

  /** The index of the output named {@code name}, or -1. */
  int outputIndex(String name) {
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
