package io.ringserve.loadtest.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelStatisticsResponse;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.Target;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@link ServerProbe} over the KServe v2 REST protocol: {@code GET /v2/models/{m}[/versions/{v}]}
 * for the metadata, Triton's {@code .../config} for the max batch size and {@code .../stats} for
 * the statistics. The answers are the protobuf messages' JSON forms, read into the same messages
 * the gRPC probe gets. Few calls, so the JDK's blocking client serves. Thread-safe.
 */
public final class HttpModelProbe implements ServerProbe {
  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

  private final HttpClient client;
  private final Target target;
  private final String model;
  private final String version;
  private final String base;

  public HttpModelProbe(Target target, String model, String version) {
    this.target = Objects.requireNonNull(target, "target");
    this.model = Objects.requireNonNull(model, "model");
    this.version = Objects.requireNonNull(version, "version");
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(target.connectTimeout())
            .build();
    this.base = "http://" + hostPort(target) + HttpSender.modelPath(model, version);
  }

  @Override
  public ModelMetadataResponse metadata() {
    HttpResponse<String> r;
    try {
      r = get("");
    } catch (IOException e) {
      throw new LoadTestException(
          "cannot reach an HTTP server at " + target.address() + " (" + e + ")", e);
    }
    String versionText = version.isEmpty() ? "" : " version " + version;
    if (r.statusCode() == 404 || r.statusCode() == 400 || r.statusCode() == 503) {
      throw new LoadTestException(
          "model '"
              + model
              + "'"
              + versionText
              + " not available at "
              + target.address()
              + ": HTTP "
              + r.statusCode()
              + " "
              + HttpSender.errorText(r.body()));
    }
    if (r.statusCode() != 200) {
      throw new LoadTestException(
          "model metadata of '"
              + model
              + "' at "
              + target.address()
              + " failed: HTTP "
              + r.statusCode()
              + " "
              + HttpSender.errorText(r.body()));
    }
    return parse(r.body(), ModelMetadataResponse.newBuilder(), "model metadata").build();
  }

  @Override
  public OptionalInt maxBatchSize() {
    try {
      HttpResponse<String> r = get("/config");
      if (r.statusCode() != 200) {
        return OptionalInt.empty();
      }
      // Triton answers the config itself; KServe's ModelConfigResponse would wrap it in "config".
      JsonObject root = JsonParser.parseString(r.body()).getAsJsonObject();
      String config = root.has("config") ? root.get("config").toString() : r.body();
      return OptionalInt.of(
          parse(config, ModelConfig.newBuilder(), "model config").getMaxBatchSize());
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  @Override
  public ServerStats statistics() {
    try {
      HttpResponse<String> r = get("/stats");
      if (r.statusCode() != 200) {
        return null;
      }
      return ModelProbe.sum(
          parse(r.body(), ModelStatisticsResponse.newBuilder(), "model statistics").build(), model);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private HttpResponse<String> get(String suffix) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + suffix)).timeout(target.connectTimeout()).GET();
    target.headers().forEach(b::header);
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private <B extends Message.Builder> B parse(String json, B builder, String what) {
    try {
      JSON.merge(json, builder);
      return builder;
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new LoadTestException(
          "cannot read the " + what + " of '" + model + "' at " + target.address() + ": " + e, e);
    }
  }

  static String hostPort(Target target) {
    String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
    return host + ":" + target.port();
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
