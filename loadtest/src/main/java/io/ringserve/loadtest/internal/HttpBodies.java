package io.ringserve.loadtest.internal;

import com.google.gson.stream.JsonWriter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A {@code ModelInferRequest} as the body of a KServe v2 REST inference request, in the shapes
 * Triton's {@code tritonclient.http} sends: with raw contents, a JSON header whose inputs carry
 * {@code binary_data_size}, followed by each input's bytes, and {@code binary_data_output} so that
 * outputs come back binary too (no per-element conversion at either end); with typed contents, one
 * JSON object whose inputs carry {@code data} arrays, answered in JSON. Stateless.
 */
public final class HttpBodies {
  private HttpBodies() {}

  /**
   * One encoded request.
   *
   * @param headerLength {@code Inference-Header-Content-Length}, or -1 for an all-JSON body
   */
  public record Body(byte[] bytes, int headerLength) {}

  /** Encodes {@code request}; its inputs are either all raw or all typed. */
  public static Body encode(ModelInferRequest request) {
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw new IllegalArgumentException("raw contents must be given for every input or none");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonWriter json = new JsonWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
      json.beginObject();
      if (!request.getId().isEmpty()) {
        json.name("id").value(request.getId());
      }
      json.name("inputs").beginArray();
      for (int i = 0; i < request.getInputsCount(); i++) {
        InferInputTensor input = request.getInputs(i);
        json.beginObject();
        json.name("name").value(input.getName());
        json.name("shape").beginArray();
        for (long d : input.getShapeList()) {
          json.value(d);
        }
        json.endArray();
        json.name("datatype").value(input.getDatatype());
        if (raw) {
          json.name("parameters").beginObject();
          json.name("binary_data_size").value(request.getRawInputContents(i).size());
          json.endObject();
        } else {
          json.name("data");
          data(json, input.getDatatype(), input.getContents());
        }
        json.endObject();
      }
      json.endArray();
      if (raw) {
        json.name("parameters").beginObject();
        json.name("binary_data_output").value(true);
        json.endObject();
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!raw) {
      return new Body(out.toByteArray(), -1);
    }
    int headerLength = out.size();
    for (int i = 0; i < request.getRawInputContentsCount(); i++) {
      out.writeBytes(request.getRawInputContents(i).toByteArray());
    }
    return new Body(out.toByteArray(), headerLength);
  }

  private static void data(JsonWriter json, String datatype, InferTensorContents c)
      throws IOException {
    json.beginArray();
    switch (datatype) {
      case "BOOL" -> {
        for (boolean v : c.getBoolContentsList()) {
          json.value(v);
        }
      }
      case "INT8", "INT16", "INT32" -> {
        for (int v : c.getIntContentsList()) {
          json.value(v);
        }
      }
      case "INT64" -> {
        for (long v : c.getInt64ContentsList()) {
          json.value(v);
        }
      }
      case "UINT8", "UINT16", "UINT32" -> {
        for (int v : c.getUintContentsList()) {
          json.value(Integer.toUnsignedLong(v));
        }
      }
      case "UINT64" -> {
        for (long v : c.getUint64ContentsList()) {
          json.jsonValue(Long.toUnsignedString(v));
        }
      }
      case "FP32" -> {
        for (float v : c.getFp32ContentsList()) {
          // The float's own shortest text, not the longer one of the double it widens to.
          json.jsonValue(Float.toString(v));
        }
      }
      case "FP64" -> {
        for (double v : c.getFp64ContentsList()) {
          json.value(v);
        }
      }
      case "BYTES" -> {
        for (var v : c.getBytesContentsList()) {
          json.value(v.toStringUtf8());
        }
      }
      default ->
          throw new IllegalArgumentException(
              datatype + " has no JSON form; send it as binary data (--contents raw)");
    }
    json.endArray();
  }
}
