package io.ringserve.server.internal.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelInferResponse.InferOutputTensor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code ModelInferResponse} as the REST answer: the JSON response object, followed by the
 * outputs chosen to go as binary data in the order they appear in it (the binary tensor data
 * extension). Binary outputs are the batcher's own slices, appended without a copy; JSON outputs
 * are written element by element.
 *
 * <p>Stateless and thread-safe; runs on the scheduler thread that finished the request, so that the
 * event loop only moves bytes.
 */
final class InferResponseWriter {
  private InferResponseWriter() {}

  /** An encoded answer; {@code headerLength} is -1 when the body is JSON only. */
  record Written(ByteBuf body, int headerLength) {}

  static Written write(ModelInferResponse response, OutputFormat format, ByteBufAllocator alloc) {
    ByteBuf header = alloc.buffer(256);
    List<ByteBuf> binary = new ArrayList<>();
    try (JsonGenerator json =
        InferRequestReader.JSON
            .getFactory()
            .createGenerator(
                (java.io.OutputStream) new ByteBufOutputStream(header), JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("model_name", response.getModelName());
      json.writeStringField("model_version", response.getModelVersion());
      if (!response.getId().isEmpty()) {
        json.writeStringField("id", response.getId());
      }
      parameters(json, response.getParametersMap(), -1);
      json.writeArrayFieldStart("outputs");
      for (int i = 0; i < response.getOutputsCount(); i++) {
        InferOutputTensor output = response.getOutputs(i);
        ByteString raw = response.getRawOutputContents(i);
        json.writeStartObject();
        json.writeStringField("name", output.getName());
        json.writeStringField("datatype", output.getDatatype());
        json.writeArrayFieldStart("shape");
        long elements = 1;
        for (long d : output.getShapeList()) {
          json.writeNumber(d);
          elements *= d;
        }
        json.writeEndArray();
        boolean asBinary = format.binary(output.getName());
        parameters(json, output.getParametersMap(), asBinary ? raw.size() : -1);
        if (asBinary) {
          binary.add(Unpooled.wrappedBuffer(raw.asReadOnlyByteBuffer()));
        } else {
          json.writeFieldName("data");
          JsonTensors.write(
              json,
              output.getName(),
              DataType.fromWireName(output.getDatatype()),
              raw.asReadOnlyByteBuffer(),
              elements);
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      header.release();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      header.release();
      throw e;
    }
    if (binary.isEmpty()) {
      return new Written(header, -1);
    }
    int headerLength = header.readableBytes();
    CompositeByteBuf body = alloc.compositeBuffer(binary.size() + 1);
    body.addComponent(true, header);
    for (ByteBuf b : binary) {
      body.addComponent(true, b);
    }
    return new Written(body, headerLength);
  }

  private static void parameters(
      JsonGenerator json, Map<String, InferParameter> parameters, long binarySize)
      throws IOException {
    if (parameters.isEmpty() && binarySize < 0) {
      return;
    }
    json.writeObjectFieldStart("parameters");
    for (Map.Entry<String, InferParameter> p : parameters.entrySet()) {
      json.writeFieldName(p.getKey());
      InferParameter v = p.getValue();
      switch (v.getParameterChoiceCase()) {
        case BOOL_PARAM -> json.writeBoolean(v.getBoolParam());
        case INT64_PARAM -> json.writeNumber(v.getInt64Param());
        case UINT64_PARAM -> json.writeNumber(Long.toUnsignedString(v.getUint64Param()));
        case DOUBLE_PARAM -> json.writeNumber(v.getDoubleParam());
        case STRING_PARAM -> json.writeString(v.getStringParam());
        default -> json.writeNull();
      }
    }
    if (binarySize >= 0) {
      json.writeNumberField(InferRequestReader.BINARY_DATA_SIZE, binarySize);
    }
    json.writeEndObject();
  }
}
