package io.ringserve.server.internal.grpc;

import inference.GrpcService.InferBatchStatistics;
import inference.GrpcService.InferStatistics;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.ModelStatisticsResponse;
import inference.GrpcService.RepositoryIndexResponse;
import inference.GrpcService.StatisticDuration;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelOutput;
import io.ringserve.batching.ModelStatistics.BatchStatistics;
import io.ringserve.batching.ModelStatistics.StatDuration;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import io.ringserve.server.model.DataTypes;
import io.ringserve.server.model.ModelNotFoundException;
import java.util.Collection;
import java.util.List;

/** Builds the protocol's descriptions of models: metadata, statistics and the repository index. */
final class ModelDescriptions {
  private ModelDescriptions() {}

  /**
   * ModelMetadata: the versions that serve, the platform, and inputs and outputs with {@code -1} in
   * front for the batch dimension of a model that batches, as Triton reports them.
   */
  static ModelMetadataResponse metadata(ServedModel model, Collection<ServedModel> versions) {
    ModelConfig config = model.config();
    boolean batching = config.getMaxBatchSize() > 0;
    ModelMetadataResponse.Builder b =
        ModelMetadataResponse.newBuilder().setName(model.name()).setPlatform(config.getPlatform());
    versions.forEach(v -> b.addVersions(v.versionString()));
    for (ModelInput input : config.getInputList()) {
      b.addInputs(
          tensor(
              input.getName(),
              DataTypes.fromConfig(input.getDataType()).wireName(),
              batching,
              input.getDimsList()));
    }
    for (ModelOutput output : config.getOutputList()) {
      b.addOutputs(
          tensor(
              output.getName(),
              DataTypes.fromConfig(output.getDataType()).wireName(),
              batching,
              output.getDimsList()));
    }
    return b.build();
  }

  private static TensorMetadata tensor(
      String name, String datatype, boolean batching, List<Long> dims) {
    TensorMetadata.Builder t = TensorMetadata.newBuilder().setName(name).setDatatype(datatype);
    if (batching) {
      t.addShape(-1);
    }
    return t.addAllShape(dims).build();
  }

  /**
   * ModelStatistics for one model version, every version of one model, or (empty name) every model.
   *
   * @throws ModelNotFoundException if a name or version is given and unknown
   */
  static ModelStatisticsResponse statistics(
      ModelRepository repository, String name, String version) {
    ModelStatisticsResponse.Builder response = ModelStatisticsResponse.newBuilder();
    if (name.isEmpty()) {
      repository.served().forEach(m -> response.addModelStats(statistics(m)));
    } else if (version.isEmpty()) {
      Collection<ServedModel> versions = repository.servedVersions(name);
      if (versions.isEmpty()) {
        repository.resolve(name, ""); // throws the right NOT_FOUND / UNAVAILABLE
      }
      versions.forEach(m -> response.addModelStats(statistics(m)));
    } else {
      response.addModelStats(statistics(repository.resolve(name, version)));
    }
    return response.build();
  }

  private static ModelStatistics statistics(ServedModel model) {
    io.ringserve.batching.ModelStatistics s = model.scheduler().statistics();
    ModelStatistics.Builder b =
        ModelStatistics.newBuilder()
            .setName(model.name())
            .setVersion(model.versionString())
            .setLastInference(s.lastInferenceMillis())
            .setInferenceCount(s.inferenceCount())
            .setExecutionCount(s.executionCount())
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(duration(s.success()))
                    .setFail(duration(s.fail()))
                    .setQueue(duration(s.queue()))
                    .setComputeInput(duration(s.computeInput()))
                    .setComputeInfer(duration(s.computeInfer()))
                    .setComputeOutput(duration(s.computeOutput()))
                    .setCacheHit(duration(StatDuration.ZERO))
                    .setCacheMiss(duration(StatDuration.ZERO)));
    for (BatchStatistics batch : s.batchStats().values()) {
      b.addBatchStats(
          InferBatchStatistics.newBuilder()
              .setBatchSize(batch.batchSize())
              .setComputeInput(duration(batch.computeInput()))
              .setComputeInfer(duration(batch.computeInfer()))
              .setComputeOutput(duration(batch.computeOutput())));
    }
    return b.build();
  }

  private static StatisticDuration duration(StatDuration d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.nanos()).build();
  }

  /** RepositoryIndex: every model version with its state and, if not ready, the reason. */
  static RepositoryIndexResponse index(ModelRepository repository, boolean readyOnly) {
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    for (ModelRepository.IndexEntry entry : repository.index()) {
      if (readyOnly && !entry.state().equals(ModelRepository.IndexEntry.READY)) {
        continue;
      }
      b.addModelsBuilder()
          .setName(entry.name())
          .setVersion(entry.version())
          .setState(entry.state())
          .setReason(ClientMessages.scrub(entry.reason()));
    }
    return b.build();
  }
}
