package io.ringserve.server.internal.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import inference.GrpcService.LogSettingsRequest;
import inference.GrpcService.LogSettingsResponse;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerMetadataRequest;
import inference.GrpcService.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringserve.server.internal.grpc.InferReply;
import io.ringserve.server.internal.grpc.InferenceService;
import io.ringserve.server.internal.grpc.RequestParsing;
import io.ringserve.server.internal.grpc.Statuses;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The routes of the KServe v2 REST protocol and Triton's HTTP extensions. Every route but inference
 * calls the gRPC service's own method for the same RPC, so both front ends give the same answers in
 * the same words; inference goes through {@link InferenceService#submit}, the one seam to the
 * scheduler. Only the framing differs: JSON (and binary data) instead of protobuf, HTTP status
 * codes ({@link HttpStatuses}) instead of gRPC ones.
 *
 * <p>Thread-safe and stateless. {@link #handle} runs on an event-loop thread and never blocks; a
 * large JSON inference body is parsed on {@link BodyParsers}' pool instead. The answer may be given
 * later, from a parser or scheduler thread.
 */
final class RestApi {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final InferenceService service;
  private final ModelRepository repository;
  private final BodyParsers parsers;
  private final ApiRestrictions restrictions;
  private final RequestJson json;

  RestApi(
      InferenceService service,
      ModelRepository repository,
      BodyParsers parsers,
      ApiRestrictions restrictions,
      RequestJson json) {
    this.service = Objects.requireNonNull(service, "service");
    this.repository = Objects.requireNonNull(repository, "repository");
    this.parsers = Objects.requireNonNull(parsers, "parsers");
    this.restrictions = Objects.requireNonNull(restrictions, "restrictions");
    this.json = Objects.requireNonNull(json, "json");
  }

  /**
   * Answers {@code request} exactly once through {@code reply}.
   *
   * @param cancelled whether the caller has gone (its connection closed)
   */
  void handle(
      FullHttpRequest request,
      ByteBufAllocator alloc,
      BooleanSupplier cancelled,
      Consumer<FullHttpResponse> reply) {
    HttpMethod method = request.method();
    Answer answer = new Answer(alloc, reply);
    String[] path;
    try {
      // Each segment is decoded once, so that "%25" stays a '%' in a model's name.
      path = segments(new QueryStringDecoder(request.uri()).rawPath());
    } catch (IllegalArgumentException e) {
      reply.accept(answer.error(HttpResponseStatus.BAD_REQUEST, "malformed request path"));
      return;
    }
    String refused = restrictions.refusal(path, request.headers());
    if (refused != null) {
      reply.accept(answer.error(HttpResponseStatus.FORBIDDEN, refused));
      return;
    }
    try {
      route(path, method, request, answer, cancelled);
    } catch (RuntimeException e) {
      answer.error(Statuses.statusOf(e, "cannot answer " + method + " " + request.uri()));
    }
  }

  /**
   * How an inference request is refused from its head because its model's queue is full, or {@code
   * null} to read it as usual ({@link FullQueueGate}, which asks only about large bodies). Only a
   * {@code POST} to {@code /v2/models/{m}[/versions/{v}]/infer} with no {@code Expect} header (its
   * client waits for a go-ahead before sending the body) and with the restricted-API key where one
   * is set is refused.
   */
  RequestParsing.Early fullQueueRefusal(HttpRequest head) {
    if (!HttpMethod.POST.equals(head.method()) || head.headers().contains(HttpHeaderNames.EXPECT)) {
      return null;
    }
    String[] p;
    try {
      p = segments(new QueryStringDecoder(head.uri()).rawPath());
    } catch (IllegalArgumentException e) {
      return null;
    }
    ModelPath path =
        p.length >= 3 && p[0].equals("v2") && p[1].equals("models") ? ModelPath.of(p) : null;
    if (path == null
        || !path.action().equals("infer")
        || restrictions.refusal(p, head.headers()) != null) {
      return null;
    }
    return service.fullQueue(path.name(), path.version());
  }

  private void route(
      String[] p,
      HttpMethod method,
      FullHttpRequest request,
      Answer answer,
      BooleanSupplier cancelled) {
    int n = p.length;
    if (n == 0 || !p[0].equals("v2")) {
      answer.notFound();
      return;
    }
    if (n == 1) {
      if (allow(method, answer, HttpMethod.GET)) {
        unary(
            service::serverMetadata,
            ServerMetadataRequest.getDefaultInstance(),
            answer,
            answer::json);
      }
      return;
    }
    switch (p[1]) {
      case "health" -> {
        if (n == 3 && (p[2].equals("live") || p[2].equals("ready"))) {
          if (allow(method, answer, HttpMethod.GET)) {
            if (p[2].equals("live")) {
              unary(
                  service::serverLive,
                  ServerLiveRequest.getDefaultInstance(),
                  answer,
                  r -> answer.health(r.getLive()));
            } else {
              unary(
                  service::serverReady,
                  ServerReadyRequest.getDefaultInstance(),
                  answer,
                  r -> answer.health(r.getReady()));
            }
          }
          return;
        }
      }
      case "models" -> {
        if (n == 3 && p[2].equals("stats")) {
          if (allow(method, answer, HttpMethod.GET)) {
            unary(
                service::modelStatistics,
                ModelStatisticsRequest.getDefaultInstance(),
                answer,
                answer::json);
          }
          return;
        }
        if (n >= 3) {
          model(p, method, request, answer, cancelled);
          return;
        }
      }
      case "repository" -> {
        if (n == 3 && p[2].equals("index")) {
          if (allow(method, answer, HttpMethod.POST)) {
            RepositoryIndexRequest.Builder index = RepositoryIndexRequest.newBuilder();
            JsonNode body = body(request);
            if (body != null && body.has("ready")) {
              index.setReady(body.get("ready").asBoolean());
            }
            unary(
                service::repositoryIndex,
                index.build(),
                answer,
                r -> answer.json(r.getModelsList()));
          }
          return;
        }
        if (n == 5 && p[2].equals("models") && (p[4].equals("load") || p[4].equals("unload"))) {
          if (allow(method, answer, HttpMethod.POST)) {
            repositoryControl(p[3], p[4].equals("load"), body(request), answer);
          }
          return;
        }
      }
      case "logging" -> {
        if (n == 2) {
          if (allow(method, answer, HttpMethod.GET, HttpMethod.POST)) {
            LogSettingsRequest.Builder settings = LogSettingsRequest.newBuilder();
            JsonNode body = method.equals(HttpMethod.POST) ? body(request) : null;
            if (body != null) {
              body.properties()
                  .forEach(
                      f -> settings.putSettings(f.getKey(), logSetting(f.getKey(), f.getValue())));
            }
            unary(service::logSettings, settings.build(), answer, answer::logSettings);
          }
          return;
        }
      }
      default -> {}
    }
    answer.notFound();
  }

  /** {@code /v2/models/{m}[/versions/{v}][/ready|/infer|/config|/stats]}. */
  private void model(
      String[] p,
      HttpMethod method,
      FullHttpRequest request,
      Answer answer,
      BooleanSupplier cancelled) {
    ModelPath path = ModelPath.of(p);
    if (path == null) {
      answer.notFound();
      return;
    }
    String name = path.name();
    String version = path.version();
    switch (path.action()) {
      case "" -> {
        if (allow(method, answer, HttpMethod.GET)) {
          unary(
              service::modelMetadata,
              ModelMetadataRequest.newBuilder().setName(name).setVersion(version).build(),
              answer,
              answer::json);
        }
      }
      case "ready" -> {
        if (allow(method, answer, HttpMethod.GET)) {
          unary(
              service::modelReady,
              ModelReadyRequest.newBuilder().setName(name).setVersion(version).build(),
              answer,
              r -> answer.health(r.getReady()));
        }
      }
      case "config" -> {
        if (allow(method, answer, HttpMethod.GET)) {
          unary(
              service::modelConfig,
              ModelConfigRequest.newBuilder().setName(name).setVersion(version).build(),
              answer,
              r -> answer.json(r.getConfig()));
        }
      }
      case "stats" -> {
        if (allow(method, answer, HttpMethod.GET)) {
          unary(
              service::modelStatistics,
              ModelStatisticsRequest.newBuilder().setName(name).setVersion(version).build(),
              answer,
              answer::json);
        }
      }
      case "infer" -> {
        if (allow(method, answer, HttpMethod.POST)) {
          infer(name, version, request, answer, cancelled);
        }
      }
      default -> answer.notFound();
    }
  }

  private void infer(
      String model,
      String version,
      FullHttpRequest request,
      Answer answer,
      BooleanSupplier cancelled) {
    String header = request.headers().get(HEADER_LENGTH);
    long headerLength = -1;
    if (header != null) {
      try {
        headerLength = Long.parseLong(header.trim());
      } catch (NumberFormatException e) {
        headerLength = -2;
      }
      if (headerLength < 0) {
        answer.error(
            Status.INVALID_ARGUMENT.withDescription(
                HEADER_LENGTH + " must be a byte count, got '" + header + "'"));
        return;
      }
    }
    long jsonBytes = headerLength < 0 ? request.content().readableBytes() : headerLength;
    if (!BodyParsers.offload(jsonBytes)) {
      // A copy: the request's buffer is released when this method returns, and the binary inputs
      // are wrapped where they lie in the body, to be read when the batch runs.
      readAndSubmit(
          model, version, ByteBufUtil.getBytes(request.content()), headerLength, answer, cancelled);
      return;
    }
    long length = headerLength;
    String uri = request.uri();
    // Held (and counted in --http-max-buffered-input-bytes) until parsed, so that bodies waiting
    // for a parser, and being parsed, are within the budget too.
    ByteBuf content = request.content().retain();
    try {
      parsers
          .executor()
          .execute(
              () -> {
                // Released once parsed: the parse's strings and copies are several times the
                // body, so bodies being parsed stay within the budget too.
                try {
                  readAndSubmit(
                      model, version, ByteBufUtil.getBytes(content), length, answer, cancelled);
                } catch (RuntimeException e) {
                  answer.error(Statuses.statusOf(e, "cannot answer POST " + uri));
                } finally {
                  content.release();
                }
              });
    } catch (RejectedExecutionException e) {
      content.release();
      answer.error(
          Status.UNAVAILABLE.withDescription(
              "too many large JSON request bodies being parsed at once; retry, or send the"
                  + " tensors as binary data"));
    }
  }

  /** Parses the body and hands the request to the scheduler; on the event loop or a parser. */
  private void readAndSubmit(
      String model,
      String version,
      byte[] body,
      long headerLength,
      Answer answer,
      BooleanSupplier cancelled) {
    InferRequestReader.Read read =
        InferRequestReader.read(
            json, model, version, body, headerLength, () -> repository.resolve(model, version));
    service.submit(
        read.request(),
        cancelled,
        new InferenceService.Responder() {
          @Override
          public void succeed(InferReply reply) {
            InferResponseWriter.Written written;
            try {
              written = InferResponseWriter.write(reply.toProto(), read.format(), answer.alloc);
            } catch (RuntimeException e) {
              fail(Statuses.statusOf(e, "model '" + model + "' failed to encode its outputs"));
              return;
            }
            answer.infer(written);
          }

          @Override
          public void fail(Status status) {
            answer.error(status);
          }
        });
  }

  /**
   * The parts of {@code /v2/models/{m}[/versions/{v}][/{action}]}, read from its segments {@code p}
   * from {@code p[2]} on: the model, its version (empty for the latest) and the action (empty for
   * none).
   */
  private record ModelPath(String name, String version, String action) {
    /** The path's parts, or {@code null} if more segments follow the action. */
    static ModelPath of(String[] p) {
      String version = "";
      int i = 3;
      if (p.length >= 5 && p[3].equals("versions")) {
        version = p[4];
        i = 5;
      }
      String action = p.length == i ? "" : p.length == i + 1 ? p[i] : null;
      return action == null ? null : new ModelPath(p[2], version, action);
    }
  }

  private void repositoryControl(String model, boolean load, JsonNode body, Answer answer) {
    Map<String, ModelRepositoryParameter> parameters = new java.util.HashMap<>();
    JsonNode params = body == null ? null : body.get("parameters");
    if (params != null) {
      if (!params.isObject()) {
        throw HttpStatuses.invalid("Unable to parse 'parameters': expected an object");
      }
      params
          .properties()
          .forEach(f -> parameters.put(f.getKey(), repositoryParameter(f.getKey(), f.getValue())));
    }
    if (load) {
      unary(
          service::repositoryModelLoad,
          RepositoryModelLoadRequest.newBuilder()
              .setModelName(model)
              .putAllParameters(parameters)
              .build(),
          answer,
          r -> answer.empty(HttpResponseStatus.OK));
    } else {
      unary(
          service::repositoryModelUnload,
          RepositoryModelUnloadRequest.newBuilder()
              .setModelName(model)
              .putAllParameters(parameters)
              .build(),
          answer,
          r -> answer.empty(HttpResponseStatus.OK));
    }
  }

  /** As Triton: {@code file:} parameters carry base64 file contents, the rest are typed values. */
  private static ModelRepositoryParameter repositoryParameter(String key, JsonNode value) {
    ModelRepositoryParameter.Builder p = ModelRepositoryParameter.newBuilder();
    if (key.startsWith("file:") && value.isTextual()) {
      try {
        return p.setBytesParam(ByteString.copyFrom(Base64.getDecoder().decode(value.textValue())))
            .build();
      } catch (IllegalArgumentException e) {
        throw HttpStatuses.invalid(
            "parameter '" + key + "' is not valid base64: " + e.getMessage());
      }
    }
    if (value.isBoolean()) {
      return p.setBoolParam(value.booleanValue()).build();
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return p.setInt64Param(value.longValue()).build();
    }
    if (value.isTextual()) {
      return p.setStringParam(value.textValue()).build();
    }
    if (value.isObject()) {
      // Triton's clients send the config override as a JSON string; an object is taken as the same.
      return p.setStringParam(value.toString()).build();
    }
    throw HttpStatuses.invalid(
        "parameter '"
            + key
            + "' has invalid type. It should be either 'int', 'bool', or 'string'.");
  }

  private static LogSettingsRequest.SettingValue logSetting(String key, JsonNode value) {
    LogSettingsRequest.SettingValue.Builder v = LogSettingsRequest.SettingValue.newBuilder();
    if (value.isBoolean()) {
      return v.setBoolParam(value.booleanValue()).build();
    }
    if (value.isIntegralNumber()
        && value.canConvertToLong()
        && value.longValue() >= 0
        && value.longValue() <= 0xffffffffL) {
      return v.setUint32Param((int) value.longValue()).build();
    }
    if (value.isTextual()) {
      return v.setStringParam(value.textValue()).build();
    }
    throw HttpStatuses.invalid(
        "log setting '" + key + "' must be a boolean, an unsigned integer or a string");
  }

  private JsonNode body(FullHttpRequest request) {
    if (!request.content().isReadable()) {
      return null;
    }
    byte[] bytes = ByteBufUtil.getBytes(request.content());
    JsonNode node = json.read(bytes, 0, bytes.length);
    if (node != null && !node.isObject()) {
      throw HttpStatuses.invalid("failed to parse the request JSON buffer: expected an object");
    }
    return node;
  }

  private static boolean allow(HttpMethod method, Answer answer, HttpMethod... allowed) {
    for (HttpMethod m : allowed) {
      if (m.equals(method)) {
        return true;
      }
    }
    answer.methodNotAllowed();
    return false;
  }

  private static <Q, R> void unary(
      BiConsumer<Q, StreamObserver<R>> method,
      Q request,
      Answer answer,
      java.util.function.Function<R, FullHttpResponse> ok) {
    method.accept(
        request,
        new StreamObserver<>() {
          private R value;

          @Override
          public void onNext(R v) {
            value = v;
          }

          @Override
          public void onError(Throwable t) {
            answer.error(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            FullHttpResponse response;
            try {
              response = ok.apply(value);
            } catch (RuntimeException e) {
              answer.error(Statuses.statusOf(e, "cannot write the answer"));
              return;
            }
            answer.reply.accept(response);
          }
        });
  }

  private static String[] segments(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      return new String[0];
    }
    String[] parts = trimmed.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = QueryStringDecoder.decodeComponent(parts[i]);
    }
    return parts;
  }

  /** Builds the answers of one request; whatever it sends goes to {@code reply}. */
  static final class Answer {
    final ByteBufAllocator alloc;
    final Consumer<FullHttpResponse> reply;

    Answer(ByteBufAllocator alloc, Consumer<FullHttpResponse> reply) {
      this.alloc = alloc;
      this.reply = reply;
    }

    FullHttpResponse json(Message message) {
      return jsonResponse(HttpResponseStatus.OK, json -> ProtoJson.write(json, message));
    }

    FullHttpResponse json(java.util.List<? extends Message> messages) {
      return jsonResponse(
          HttpResponseStatus.OK,
          json -> {
            json.writeStartArray();
            for (Message m : messages) {
              ProtoJson.write(json, m);
            }
            json.writeEndArray();
          });
    }

    FullHttpResponse logSettings(LogSettingsResponse response) {
      return jsonResponse(
          HttpResponseStatus.OK,
          json -> {
            json.writeStartObject();
            for (Map.Entry<String, LogSettingsResponse.SettingValue> e :
                new java.util.TreeMap<>(response.getSettingsMap()).entrySet()) {
              LogSettingsResponse.SettingValue v = e.getValue();
              json.writeFieldName(e.getKey());
              switch (v.getParameterChoiceCase()) {
                case BOOL_PARAM -> json.writeBoolean(v.getBoolParam());
                case UINT32_PARAM -> json.writeNumber(Integer.toUnsignedLong(v.getUint32Param()));
                case STRING_PARAM -> json.writeString(v.getStringParam());
                default -> json.writeNull();
              }
            }
            json.writeEndObject();
          });
    }

    /** Health and readiness: 200, or 400 with an empty body, as Triton. */
    FullHttpResponse health(boolean ok) {
      return empty(ok ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST);
    }

    FullHttpResponse empty(HttpResponseStatus status) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      return r;
    }

    void infer(InferResponseWriter.Written written) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, written.body());
      if (written.headerLength() >= 0) {
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        r.headers().setInt(HEADER_LENGTH, written.headerLength());
      } else {
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      }
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, written.body().readableBytes());
      reply.accept(r);
    }

    void error(Status status) {
      reply.accept(error(HttpStatuses.of(status), HttpStatuses.message(status)));
    }

    void notFound() {
      reply.accept(error(HttpResponseStatus.NOT_FOUND, "Not Found"));
    }

    void methodNotAllowed() {
      reply.accept(error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed"));
    }

    FullHttpResponse error(HttpResponseStatus status, String message) {
      return jsonResponse(
          status,
          json -> {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
          });
    }

    private interface JsonBody {
      void write(JsonGenerator json) throws IOException;
    }

    private FullHttpResponse jsonResponse(HttpResponseStatus status, JsonBody body) {
      ByteBuf buf = alloc.buffer(128);
      try (JsonGenerator json =
          InferRequestReader.JSON
              .getFactory()
              .createGenerator(
                  (java.io.OutputStream) new ByteBufOutputStream(buf), JsonEncoding.UTF8)) {
        body.write(json);
      } catch (IOException | RuntimeException e) {
        buf.release();
        throw e instanceof RuntimeException re
            ? re
            : new java.io.UncheckedIOException((IOException) e);
      }
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
      return r;
    }
  }
}
