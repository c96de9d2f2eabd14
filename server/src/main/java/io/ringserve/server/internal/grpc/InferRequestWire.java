package io.ringserve.server.internal.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields of a serialized {@code ModelInferRequest} as a client usually sends it (names,
 * datatypes, packed shapes, requested outputs by name, raw contents) straight into {@link
 * InferRequestFields}, without protobuf's builders and messages. The raw contents view the array.
 *
 * <p>Anything else (parameters, typed contents, unknown or unpacked fields, groups) and any bytes
 * that are not well formed make it answer null: the caller then parses the message with protobuf,
 * so that every such request, valid or not, is read and refused exactly as before. What it does
 * read it reads as protobuf does: strings are checked UTF-8, the last of a repeated singular field
 * wins, lengths are checked against the message. Names and datatypes come from the reading thread's
 * {@link RecentStrings}; the request id, different in each request, is read as it comes. Stateless.
 */
final class InferRequestWire {
  private static final int MODEL_NAME = tag(ModelInferRequest.MODEL_NAME_FIELD_NUMBER);
  private static final int MODEL_VERSION = tag(ModelInferRequest.MODEL_VERSION_FIELD_NUMBER);
  private static final int ID = tag(ModelInferRequest.ID_FIELD_NUMBER);
  private static final int INPUTS = tag(ModelInferRequest.INPUTS_FIELD_NUMBER);
  private static final int OUTPUTS = tag(ModelInferRequest.OUTPUTS_FIELD_NUMBER);
  private static final int RAW = tag(ModelInferRequest.RAW_INPUT_CONTENTS_FIELD_NUMBER);
  private static final int INPUT_NAME = tag(InferInputTensor.NAME_FIELD_NUMBER);
  private static final int INPUT_DATATYPE = tag(InferInputTensor.DATATYPE_FIELD_NUMBER);
  private static final int INPUT_SHAPE = tag(InferInputTensor.SHAPE_FIELD_NUMBER);
  private static final int OUTPUT_NAME = tag(InferRequestedOutputTensor.NAME_FIELD_NUMBER);

  private static final long[] EMPTY_SHAPE = new long[0];

  private InferRequestWire() {}

  /**
   * The fields of the request in {@code bytes}, or null when protobuf must read it. The array must
   * never be written again: the raw contents view it.
   */
  static InferRequestFields read(byte[] bytes) {
    try {
      return request(bytes);
    } catch (IOException | RuntimeException notOurs) {
      return null;
    }
  }

  private static InferRequestFields request(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    RecentStrings strings = RecentStrings.forThread();
    String modelName = "";
    String modelVersion = "";
    String id = "";
    List<InferRequestFields.Input> inputs = new ArrayList<>(4);
    List<InferRequestFields.Output> outputs = List.of();
    List<ByteBuffer> raw = List.of();
    ByteBuffer whole = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      } else if (tag == MODEL_NAME) {
        modelName = strings.read(in, bytes);
      } else if (tag == MODEL_VERSION) {
        modelVersion = strings.read(in, bytes);
      } else if (tag == ID) {
        id = in.readStringRequireUtf8();
      } else if (tag == INPUTS) {
        int limit = in.pushLimit(in.readRawVarint32());
        InferRequestFields.Input input = input(in, bytes, strings);
        if (input == null) {
          return null;
        }
        in.popLimit(limit);
        inputs.add(input);
      } else if (tag == OUTPUTS) {
        int limit = in.pushLimit(in.readRawVarint32());
        InferRequestFields.Output output = output(in, bytes, strings);
        if (output == null) {
          return null;
        }
        in.popLimit(limit);
        if (outputs.isEmpty()) {
          outputs = new ArrayList<>(4);
        }
        outputs.add(output);
      } else if (tag == RAW) {
        if (raw.isEmpty()) {
          raw = new ArrayList<>(4);
          whole = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }
        // A view of the entry where it lies, positioned at 0: the tensor made from it keeps it.
        int length = in.readRawVarint32();
        int at = in.getTotalBytesRead();
        in.skipRawBytes(length);
        raw.add(whole.slice(at, length));
      } else {
        return null;
      }
    }
    return new InferRequestFields(modelName, modelVersion, id, Map.of(), inputs, outputs, raw);
  }

  /**
   * Reads one input's descriptor up to the end of the current limit, or null if it holds a field
   * read only by protobuf.
   */
  private static InferRequestFields.Input input(
      CodedInputStream in, byte[] bytes, RecentStrings strings) throws IOException {
    String name = "";
    String datatype = "";
    long[] shape = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return new InferRequestFields.Input(
            name, datatype, shape == null ? EMPTY_SHAPE : shape, null);
      } else if (tag == INPUT_NAME) {
        name = strings.read(in, bytes);
      } else if (tag == INPUT_DATATYPE) {
        datatype = strings.read(in, bytes);
      } else if (tag == INPUT_SHAPE && shape == null) {
        shape = packedShape(in, bytes);
      } else {
        // A second run of shape (protobuf appends it to the first; no client splits a shape, and
        // appending here would let a client make each run copy all before it) or a field read
        // only by protobuf.
        return null;
      }
    }
  }

  /**
   * Reads one requested output up to the end of the current limit, or null if it holds a field read
   * only by protobuf.
   */
  private static InferRequestFields.Output output(
      CodedInputStream in, byte[] bytes, RecentStrings strings) throws IOException {
    String name = "";
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return new InferRequestFields.Output(name, false);
      } else if (tag == OUTPUT_NAME) {
        name = strings.read(in, bytes);
      } else {
        return null;
      }
    }
  }

  /**
   * A packed run of dimensions. The array is sized by counting the bytes that end a varint (top bit
   * clear), so a run of long varints costs no more than the values it holds; a run whose last
   * varint is cut short leaves bytes unread and is refused, for protobuf to refuse in its words.
   */
  private static long[] packedShape(CodedInputStream in, byte[] bytes) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    // The stream reads the whole array from its start, so bytes read is the position in it.
    int start = in.getTotalBytesRead();
    int end = start + in.getBytesUntilLimit();
    int values = 0;
    for (int i = start; i < end; i++) {
      if (bytes[i] >= 0) {
        values++;
      }
    }
    long[] shape = new long[values];
    for (int i = 0; i < values; i++) {
      shape[i] = in.readInt64();
    }
    if (in.getBytesUntilLimit() != 0) {
      throw new IOException("a shape's last dimension is cut short");
    }
    in.popLimit(limit);
    return shape;
  }

  private static int tag(int field) {
    return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }
}
