package io.ringserve.deploy;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * KServe's resources as Java types, for {@link StrictManifests#as}: fabric8 has no model of
 * KServe's CRDs. Field names and types follow KServe's Go API ({@code pkg/apis/serving/v1alpha1/
 * servingruntime_types.go}, {@code v1beta1} predictor); the Kubernetes types inside (containers,
 * volumes, ...) are fabric8's, so they are checked against Kubernetes' schema too.
 *
 * <p>The ServingRuntime spec lists every field KServe's type has, so a field it does not know
 * fails. The InferenceService types list only the fields our example uses: a stricter check than
 * KServe's.
 */
final class KServeResources {
  private KServeResources() {}

  /** KServe's {@code InferenceServiceProtocol} values. */
  static final Set<String> PROTOCOL_VERSIONS = Set.of("v1", "v2", "grpc-v1", "grpc-v2");

  record ClusterServingRuntime(
      String apiVersion, String kind, ObjectMeta metadata, ServingRuntimeSpec spec) {}

  record ServingRuntimeSpec(
      List<SupportedModelFormat> supportedModelFormats,
      Boolean multiModel,
      Boolean disabled,
      List<String> protocolVersions,
      JsonNode workerSpec,
      List<Container> containers,
      List<Volume> volumes,
      Map<String, String> nodeSelector,
      Affinity affinity,
      List<Toleration> tolerations,
      Map<String, String> labels,
      Map<String, String> annotations,
      List<LocalObjectReference> imagePullSecrets,
      Boolean hostIPC,
      String grpcEndpoint,
      String grpcDataEndpoint,
      String httpDataEndpoint,
      Integer replicas,
      JsonNode storageHelper,
      JsonNode builtInAdapter) {}

  record SupportedModelFormat(String name, String version, Boolean autoSelect, Integer priority) {}

  record InferenceService(
      String apiVersion, String kind, ObjectMeta metadata, InferenceServiceSpec spec) {}

  record InferenceServiceSpec(PredictorSpec predictor) {}

  record PredictorSpec(Integer minReplicas, Integer maxReplicas, ModelSpec model) {}

  record ModelSpec(
      ModelFormat modelFormat,
      String runtime,
      String protocolVersion,
      String storageUri,
      ResourceRequirements resources,
      List<ContainerPort> ports) {}

  record ModelFormat(String name, String version) {}
}
