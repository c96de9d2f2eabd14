package io.ringserve.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * REST calls the way Triton's {@code tritonclient.http} frames them: a JSON request object, and
 * with binary inputs the JSON followed by the tensors' bytes and {@code
 * Inference-Header-Content-Length} giving the JSON's length; answers are split the same way.
 */
final class RestCalls {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final String base;

  RestCalls(String base) {
    this.base = base;
  }

  HttpResponse<byte[]> get(String path) {
    return send(request(path).GET().build());
  }

  HttpResponse<byte[]> post(String path, byte[] body, String... headers) {
    HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<byte[]> postJson(String path, JsonNode body) {
    return post(path, bytes(body), "Content-Type", "application/json");
  }

  /** A binary request: the JSON header, then each tensor's bytes in order. */
  HttpResponse<byte[]> postBinary(String path, JsonNode header, byte[]... tensors) {
    byte[] json = bytes(header);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(json);
    for (byte[] t : tensors) {
      body.writeBytes(t);
    }
    return post(
        path,
        body.toByteArray(),
        "Content-Type",
        "application/octet-stream",
        HEADER_LENGTH,
        Integer.toString(json.length));
  }

  HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
  }

  /** The JSON part of an answer (all of it, or up to the header length). */
  static JsonNode json(HttpResponse<byte[]> response) {
    int length =
        response
            .headers()
            .firstValue(HEADER_LENGTH)
            .map(Integer::parseInt)
            .orElse(response.body().length);
    try {
      return JSON.readTree(Arrays.copyOf(response.body(), length));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "not JSON: " + new String(response.body(), StandardCharsets.UTF_8), e);
    }
  }

  /** The binary bytes of output {@code name}, found as tritonclient finds them. */
  static byte[] binaryOutput(HttpResponse<byte[]> response, String name) {
    JsonNode header = json(response);
    int offset = Integer.parseInt(response.headers().firstValue(HEADER_LENGTH).orElseThrow());
    for (JsonNode output : header.get("outputs")) {
      JsonNode size = output.path("parameters").path("binary_data_size");
      if (size.isMissingNode()) {
        continue;
      }
      if (output.get("name").asText().equals(name)) {
        return Arrays.copyOfRange(response.body(), offset, offset + size.asInt());
      }
      offset += size.asInt();
    }
    throw new AssertionError("no binary output " + name + " in " + header);
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
