package io.ringserve.loadtest.internal;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import inference.GrpcService.InferStatistics;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.Target;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Asks the server about the model: its metadata (inputs), its max batch size (from Triton's {@code
 * ModelConfig} extension when offered) and its statistics. Translates failures into one-line {@link
 * LoadTestException}s that say what is wrong ("cannot reach", "model not found").
 *
 * <p>Each call is one blocking RPC bounded by the target's connect timeout. Thread-safe.
 */
public final class ModelProbe implements ServerProbe {
  private final Channel channel;
  private final Target target;
  private final String model;
  private final String version;

  public ModelProbe(Channel channel, Target target, String model, String version) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.target = Objects.requireNonNull(target, "target");
    this.model = Objects.requireNonNull(model, "model");
    this.version = Objects.requireNonNull(version, "version");
  }

  /**
   * The model's metadata.
   *
   * @throws LoadTestException if the server is unreachable, the model unknown, or the call fails
   */
  @Override
  public ModelMetadataResponse metadata() {
    try {
      return stub()
          .modelMetadata(
              ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build());
    } catch (StatusRuntimeException e) {
      throw translate(e, "ModelMetadata");
    }
  }

  /**
   * The model's {@code max_batch_size}, or empty if the server does not offer {@code ModelConfig}
   * (it is a Triton extension; plain KServe v2 servers lack it).
   */
  @Override
  public OptionalInt maxBatchSize() {
    try {
      return OptionalInt.of(
          stub()
              .modelConfig(
                  ModelConfigRequest.newBuilder().setName(model).setVersion(version).build())
              .getConfig()
              .getMaxBatchSize());
    } catch (StatusRuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * The model's cumulative statistics summed over its versions, or {@code null} if the server does
   * not offer {@code ModelStatistics}.
   */
  @Override
  public ServerStats statistics() {
    try {
      return sum(
          stub()
              .modelStatistics(
                  ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build()),
          model);
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  /** The statistics of {@code model} in {@code response}, summed over its versions. */
  static ServerStats sum(ModelStatisticsResponse response, String model) {
    long inferences = 0;
    long executions = 0;
    long success = 0;
    long fail = 0;
    long queueCount = 0;
    long queueNs = 0;
    long computeCount = 0;
    long inputNs = 0;
    long inferNs = 0;
    long outputNs = 0;
    for (ModelStatistics s : response.getModelStatsList()) {
      if (!s.getName().equals(model)) {
        continue;
      }
      InferStatistics i = s.getInferenceStats();
      inferences += s.getInferenceCount();
      executions += s.getExecutionCount();
      success += i.getSuccess().getCount();
      fail += i.getFail().getCount();
      queueCount += i.getQueue().getCount();
      queueNs += i.getQueue().getNs();
      computeCount += i.getComputeInfer().getCount();
      inputNs += i.getComputeInput().getNs();
      inferNs += i.getComputeInfer().getNs();
      outputNs += i.getComputeOutput().getNs();
    }
    return new ServerStats(
        inferences,
        executions,
        success,
        fail,
        queueCount,
        queueNs,
        computeCount,
        inputNs,
        inferNs,
        outputNs);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause().getMessage() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private GRPCInferenceServiceBlockingStub stub() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(target.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private LoadTestException translate(StatusRuntimeException e, String rpc) {
    Status s = e.getStatus();
    String detail = s.getDescription() == null ? "" : ": " + s.getDescription();
    if (s.getCause() != null && s.getCause().getMessage() != null) {
      // "io exception" alone does not say that the connection was refused, or by whom.
      detail += " (" + rootMessage(s.getCause()) + ")";
    }
    String versionText = version.isEmpty() ? "" : " version " + version;
    if (s.getCode() == Status.Code.UNAVAILABLE
        && s.getDescription() != null
        && s.getDescription().toLowerCase(Locale.ROOT).contains("model")) {
      // Triton answers an unknown model with UNAVAILABLE "Request for unknown model": the server
      // is there, the model is not.
      return new LoadTestException(
          "model '" + model + "'" + versionText + " not available at " + target.address() + detail,
          e);
    }
    return switch (s.getCode()) {
      case UNAVAILABLE ->
          new LoadTestException(
              "cannot reach a server at " + target.address() + " (UNAVAILABLE" + detail + ")", e);
      case DEADLINE_EXCEEDED ->
          new LoadTestException(
              "no answer from "
                  + target.address()
                  + " within "
                  + Durations.format(target.connectTimeout())
                  + " (is it a gRPC server?)",
              e);
      case NOT_FOUND ->
          new LoadTestException(
              "model '" + model + "'" + versionText + " not found at " + target.address() + detail,
              e);
      case UNIMPLEMENTED ->
          new LoadTestException(
              target.address()
                  + " does not serve inference.GRPCInferenceService/"
                  + rpc
                  + " (UNIMPLEMENTED): is it a KServe v2 server?",
              e);
      default ->
          new LoadTestException(
              rpc
                  + " of model '"
                  + model
                  + "' at "
                  + target.address()
                  + " failed: "
                  + s.getCode()
                  + detail,
              e);
    };
  }
}
