package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.family.TType;

/**
 * The inputs and outputs of a SavedModel's {@code serving_default} signature, as RingServe uses
 * them: named by their signature keys (as Triton names them), each list sorted by key so that the
 * order is stable across loads (a signature is a protobuf map, which has no order of its own).
 *
 * <p>Reads the signature from the MetaGraphDef protobuf rather than through TensorFlow Java's
 * {@code Signature} view, because that view reports a tensor of unknown rank as a scalar.
 *
 * <p>Immutable and thread-safe.
 */
final class ServingSignature {
  /** The signature TensorFlow Serving and Triton run unless told otherwise. */
  static final String KEY = "serving_default";

  private final List<SignatureTensor> inputs;
  private final List<SignatureTensor> outputs;

  private ServingSignature(List<SignatureTensor> inputs, List<SignatureTensor> outputs) {
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
  }

  /**
   * Reads the serving signature of a loaded SavedModel.
   *
   * @param savedModelDir only for error messages
   * @throws ModelLoadException if the signature is missing, or a tensor has an unknown rank, is
   *     sparse or has a type RingServe cannot pass to TensorFlow; the message names the tensor
   */
  static ServingSignature read(MetaGraphDef metaGraph, Path savedModelDir)
      throws ModelLoadException {
    SignatureDef signature = metaGraph.getSignatureDefMap().get(KEY);
    if (signature == null) {
      throw new ModelLoadException(
          "SavedModel "
              + savedModelDir
              + " has no '"
              + KEY
              + "' signature; it has "
              + metaGraph.getSignatureDefMap().keySet());
    }
    return new ServingSignature(
        tensors(signature.getInputsMap(), "input", savedModelDir),
        tensors(signature.getOutputsMap(), "output", savedModelDir));
  }

  private static List<SignatureTensor> tensors(Map<String, TensorInfo> byKey, String role, Path dir)
      throws ModelLoadException {
    List<SignatureTensor> tensors = new ArrayList<>(byKey.size());
    for (Map.Entry<String, TensorInfo> entry : new TreeMap<>(byKey).entrySet()) {
      tensors.add(tensor(entry.getKey(), entry.getValue(), role, dir));
    }
    return tensors;
  }

  private static SignatureTensor tensor(String key, TensorInfo info, String role, Path dir)
      throws ModelLoadException {
    String where = role + " '" + key + "' of SavedModel " + dir;
    if (info.getEncodingCase() != TensorInfo.EncodingCase.NAME) {
      throw new ModelLoadException(
          where + " is a " + info.getEncodingCase() + " tensor; only dense tensors are supported");
    }
    DataType dataType = TensorFlowTypes.toDataType(info.getDtype());
    Class<? extends TType> tensorClass =
        dataType == null ? null : TensorFlowTypes.tensorClass(dataType);
    if (tensorClass == null) {
      throw new ModelLoadException(
          where + " has type " + info.getDtype() + ", which TensorFlow Java cannot feed or fetch");
    }
    TensorShapeProto shapeProto = info.getTensorShape();
    if (shapeProto.getUnknownRank()) {
      throw new ModelLoadException(
          where + " has an unknown rank; give it a shape (use -1 for variable dimensions)");
    }
    long[] shape = new long[shapeProto.getDimCount()];
    for (int i = 0; i < shape.length; i++) {
      long size = shapeProto.getDim(i).getSize();
      shape[i] = size < 0 ? -1 : size;
    }
    String graphName = info.getName();
    int colon = graphName.lastIndexOf(':');
    String operation = colon < 0 ? graphName : graphName.substring(0, colon);
    int index;
    try {
      index = colon < 0 ? 0 : Integer.parseInt(graphName.substring(colon + 1));
    } catch (NumberFormatException malformed) {
      throw new ModelLoadException(where + " names a malformed graph tensor '" + graphName + "'");
    }
    return new SignatureTensor(new TensorSpec(key, dataType, shape), operation, index, tensorClass);
  }

  /** The inputs, sorted by key. */
  List<SignatureTensor> inputs() {
    return inputs;
  }

  /** The outputs, sorted by key. */
  List<SignatureTensor> outputs() {
    return outputs;
  }

  static List<TensorSpec> specs(List<SignatureTensor> tensors) {
    List<TensorSpec> specs = new ArrayList<>(tensors.size());
    for (SignatureTensor tensor : tensors) {
      specs.add(tensor.spec());
    }
    return List.copyOf(specs);
  }
}
