package io.ringserve.server.internal.grpc;

import static com.google.protobuf.CodedOutputStream.computeInt64SizeNoTag;
import static com.google.protobuf.CodedOutputStream.computeStringSize;
import static com.google.protobuf.CodedOutputStream.computeTagSize;
import static com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import io.ringserve.batching.Tensor;
import java.io.IOException;
import java.util.List;

/**
 * Writes an {@link InferReply} as the bytes of the {@code ModelInferResponse} it stands for, field
 * for field as protobuf-java's {@code writeTo} writes that message: fields in number order, empty
 * strings left out, shapes packed, one {@code raw_output_contents} entry per output even when
 * empty. The response's and the outputs' {@code parameters} maps are never set by this server, so
 * they are never written.
 *
 * <p>Why not the message: building it took a builder, a list and a {@code ByteString} per output
 * and a descriptor message per output, and its serialization walked the empty maps; written here,
 * an answer costs its own bytes and nothing else. Stateless.
 */
final class InferReplyWire {
  private InferReplyWire() {}

  /**
   * The encoded size of the reply to {@code id} with {@code outputs}.
   *
   * @throws IllegalArgumentException past protobuf's 2 GiB limit on a message
   */
  static int size(String modelName, String modelVersion, String id, List<Tensor> outputs) {
    long size = 0;
    size += stringSize(ModelInferResponse.MODEL_NAME_FIELD_NUMBER, modelName);
    size += stringSize(ModelInferResponse.MODEL_VERSION_FIELD_NUMBER, modelVersion);
    size += stringSize(ModelInferResponse.ID_FIELD_NUMBER, id);
    for (int i = 0; i < outputs.size(); i++) {
      size +=
          delimitedSize(ModelInferResponse.OUTPUTS_FIELD_NUMBER, descriptorSize(outputs.get(i)));
    }
    for (int i = 0; i < outputs.size(); i++) {
      size +=
          delimitedSize(
              ModelInferResponse.RAW_OUTPUT_CONTENTS_FIELD_NUMBER, outputs.get(i).byteSize());
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the response would take "
              + size
              + " bytes, more than a protobuf message can hold (2 GiB)");
    }
    return (int) size;
  }

  /** Writes {@code reply}; {@code out} receives exactly {@link #size} bytes. */
  static void write(InferReply reply, CodedOutputStream out) throws IOException {
    writeString(out, ModelInferResponse.MODEL_NAME_FIELD_NUMBER, reply.modelName());
    writeString(out, ModelInferResponse.MODEL_VERSION_FIELD_NUMBER, reply.modelVersion());
    writeString(out, ModelInferResponse.ID_FIELD_NUMBER, reply.id());
    List<Tensor> outputs = reply.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      Tensor output = outputs.get(i);
      out.writeTag(ModelInferResponse.OUTPUTS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(descriptorSize(output));
      writeString(out, InferOutputTensor.NAME_FIELD_NUMBER, output.name());
      writeString(out, InferOutputTensor.DATATYPE_FIELD_NUMBER, output.dataType().wireName());
      if (output.rank() > 0) {
        out.writeTag(InferOutputTensor.SHAPE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(packedShapeSize(output));
        for (int d = 0; d < output.rank(); d++) {
          out.writeInt64NoTag(output.dim(d));
        }
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      Tensor output = outputs.get(i);
      out.writeTag(
          ModelInferResponse.RAW_OUTPUT_CONTENTS_FIELD_NUMBER,
          WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(output.byteSize());
      // write(ByteBuffer) writes the buffer's remaining bytes; data() is a fresh view each time.
      out.write(output.data());
    }
  }

  private static int descriptorSize(Tensor output) {
    int size = stringSize(InferOutputTensor.NAME_FIELD_NUMBER, output.name());
    size += stringSize(InferOutputTensor.DATATYPE_FIELD_NUMBER, output.dataType().wireName());
    if (output.rank() > 0) {
      size += delimitedSize(InferOutputTensor.SHAPE_FIELD_NUMBER, packedShapeSize(output));
    }
    return size;
  }

  private static int packedShapeSize(Tensor output) {
    int size = 0;
    for (int d = 0; d < output.rank(); d++) {
      size += computeInt64SizeNoTag(output.dim(d));
    }
    return size;
  }

  private static int delimitedSize(int field, int length) {
    return computeTagSize(field) + computeUInt32SizeNoTag(length) + length;
  }

  /** As proto3 writes a string: not at all when empty. */
  private static int stringSize(int field, String value) {
    return value.isEmpty() ? 0 : computeStringSize(field, value);
  }

  private static void writeString(CodedOutputStream out, int field, String value)
      throws IOException {
    if (!value.isEmpty()) {
      out.writeString(field, value);
    }
  }
}
