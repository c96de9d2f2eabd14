package io.ringserve.server.internal.examples;

import com.google.protobuf.CodedOutputStream;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a small ONNX model file ({@code model.onnx}) from Java: graph inputs and outputs, FP32
 * initializers and nodes with integer attributes. Enough for the example models and for tests; not
 * a general ONNX builder.
 *
 * <p>Why by hand: the ONNX IR is a public protobuf format ({@code onnx/onnx.proto}), and the few
 * messages a plain feed-forward graph needs are encoded here field by field with protobuf's {@link
 * CodedOutputStream}. This avoids generating code from a copied {@code onnx.proto}, a Python build
 * step, or a committed binary. The field numbers below are those of {@code onnx.proto}.
 *
 * <p>The model targets IR version 8 with the default-domain opset 13, which every ONNX Runtime
 * since 1.10 loads. A dimension of -1 is written as the symbolic dimension {@code "N"}, which ONNX
 * Runtime reports back as -1 (variable).
 *
 * <p>Not thread-safe: build a model on one thread. Cost: the weights are copied once into the
 * encoded message, so writing holds about twice their size in memory.
 */
public final class OnnxModelWriter {
  /** ONNX IR version 8 (ONNX 1.10), which ONNX Runtime 1.10 and later read. */
  static final long IR_VERSION = 8;

  /** The default-domain ("ai.onnx") operator set the graphs use: Softmax over one axis from 13. */
  static final long OPSET_VERSION = 13;

  // ModelProto
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  // OperatorSetIdProto
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION_FIELD = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  // AttributeProto, with AttributeType INT = 2
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_I = 3;
  private static final int ATTRIBUTE_TYPE = 20;
  private static final int ATTRIBUTE_TYPE_INT = 2;
  // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto(.Dimension)
  private static final int VALUE_INFO_NAME = 1;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR_TYPE = 1;
  private static final int TENSOR_TYPE_ELEM_TYPE = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;

  private final String graphName;
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> nodes = new ArrayList<>();

  public OnnxModelWriter(String graphName) {
    this.graphName = Objects.requireNonNull(graphName, "graphName");
  }

  /** Adds a graph input; -1 in {@code dims} marks a variable dimension. */
  public OnnxModelWriter input(String name, DataType type, long... dims) {
    inputs.add(valueInfo(name, type, dims));
    return this;
  }

  /** Adds a graph output; -1 in {@code dims} marks a variable dimension. */
  public OnnxModelWriter output(String name, DataType type, long... dims) {
    outputs.add(valueInfo(name, type, dims));
    return this;
  }

  /**
   * Adds a constant FP32 tensor, stored little-endian in {@code raw_data}.
   *
   * @throws IllegalArgumentException if {@code values} does not fill {@code dims}
   */
  public OnnxModelWriter initializer(String name, long[] dims, float[] values) {
    Objects.requireNonNull(name, "name");
    long count = 1;
    for (long dim : dims) {
      count *= dim;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "initializer '" + name + "' has " + values.length + " values for " + count + " elements");
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    initializers.add(
        message(
            out -> {
              for (long dim : dims) {
                out.writeInt64(TENSOR_DIMS, dim);
              }
              out.writeInt32(TENSOR_DATA_TYPE, elementType(DataType.FP32));
              out.writeString(TENSOR_NAME, name);
              out.writeByteArray(TENSOR_RAW_DATA, raw.array());
            }));
    return this;
  }

  /** Adds a node of the default domain without attributes. */
  public OnnxModelWriter node(String opType, List<String> nodeInputs, List<String> nodeOutputs) {
    return node(opType, nodeInputs, nodeOutputs, Map.of());
  }

  /**
   * Adds a node of the default domain; nodes must be added in topological order.
   *
   * @param intAttributes integer attributes, for example {@code axis} of Softmax
   */
  public OnnxModelWriter node(
      String opType,
      List<String> nodeInputs,
      List<String> nodeOutputs,
      Map<String, Long> intAttributes) {
    Objects.requireNonNull(opType, "opType");
    Map<String, Long> attributes = new LinkedHashMap<>(intAttributes);
    String name = opType + "_" + nodes.size();
    nodes.add(
        message(
            out -> {
              for (String input : nodeInputs) {
                out.writeString(NODE_INPUT, input);
              }
              for (String output : nodeOutputs) {
                out.writeString(NODE_OUTPUT, output);
              }
              out.writeString(NODE_NAME, name);
              out.writeString(NODE_OP_TYPE, opType);
              for (Map.Entry<String, Long> attribute : attributes.entrySet()) {
                out.writeByteArray(
                    NODE_ATTRIBUTE,
                    message(
                        a -> {
                          a.writeString(ATTRIBUTE_NAME, attribute.getKey());
                          a.writeInt64(ATTRIBUTE_I, attribute.getValue());
                          a.writeInt32(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
                        }));
              }
            }));
    return this;
  }

  /** The encoded {@code ModelProto}. */
  public byte[] toByteArray() {
    byte[] graph =
        message(
            out -> {
              for (byte[] node : nodes) {
                out.writeByteArray(GRAPH_NODE, node);
              }
              out.writeString(GRAPH_NAME, graphName);
              for (byte[] initializer : initializers) {
                out.writeByteArray(GRAPH_INITIALIZER, initializer);
              }
              for (byte[] input : inputs) {
                out.writeByteArray(GRAPH_INPUT, input);
              }
              for (byte[] output : outputs) {
                out.writeByteArray(GRAPH_OUTPUT, output);
              }
            });
    return message(
        out -> {
          out.writeInt64(MODEL_IR_VERSION, IR_VERSION);
          out.writeString(MODEL_PRODUCER_NAME, "ringserve");
          out.writeByteArray(MODEL_GRAPH, graph);
          out.writeByteArray(
              MODEL_OPSET_IMPORT,
              message(
                  opset -> {
                    opset.writeString(OPSET_DOMAIN, "");
                    opset.writeInt64(OPSET_VERSION_FIELD, OPSET_VERSION);
                  }));
        });
  }

  /**
   * Writes the model to {@code file}, replacing it.
   *
   * @throws IOException naming the file if it cannot be written
   */
  public void writeTo(Path file) throws IOException {
    Files.write(file, toByteArray());
  }

  private static byte[] valueInfo(String name, DataType type, long[] dims) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    byte[] shape =
        message(
            out -> {
              for (long dim : dims) {
                if (dim < -1 || dim == 0) {
                  throw new IllegalArgumentException(
                      "tensor '" + name + "' has dimension " + dim + "; use > 0 or -1");
                }
                out.writeByteArray(
                    SHAPE_DIM,
                    message(
                        d -> {
                          if (dim < 0) {
                            d.writeString(DIM_PARAM, "N");
                          } else {
                            d.writeInt64(DIM_VALUE, dim);
                          }
                        }));
              }
            });
    byte[] tensorType =
        message(
            out -> {
              out.writeInt32(TENSOR_TYPE_ELEM_TYPE, elementType(type));
              out.writeByteArray(TENSOR_TYPE_SHAPE, shape);
            });
    return message(
        out -> {
          out.writeString(VALUE_INFO_NAME, name);
          out.writeByteArray(
              VALUE_INFO_TYPE, message(t -> t.writeByteArray(TYPE_TENSOR_TYPE, tensorType)));
        });
  }

  /** The {@code TensorProto.DataType} number of a protocol type. */
  static int elementType(DataType type) {
    switch (type) {
      case FP32:
        return 1;
      case UINT8:
        return 2;
      case INT8:
        return 3;
      case UINT16:
        return 4;
      case INT16:
        return 5;
      case INT32:
        return 6;
      case INT64:
        return 7;
      case BYTES:
        return 8;
      case BOOL:
        return 9;
      case FP16:
        return 10;
      case FP64:
        return 11;
      case UINT32:
        return 12;
      case UINT64:
        return 13;
      case BF16:
        return 16;
      default:
        throw new IllegalArgumentException("no ONNX element type for " + type);
    }
  }

  /** Writes the fields of one message. */
  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  /** Encodes one message to bytes, so that it can be nested as a length-delimited field. */
  private static byte[] message(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode an ONNX message in memory", e);
    }
    return bytes.toByteArray();
  }
}
