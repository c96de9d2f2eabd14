package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.ringserve.deploy.KServeResources.ClusterServingRuntime;
import io.ringserve.deploy.KServeResources.InferenceService;
import io.ringserve.deploy.KServeResources.ModelSpec;
import io.ringserve.deploy.KServeResources.SupportedModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The ClusterServingRuntime and the example InferenceService are what KServe reads. */
class KServeRuntimeTest {

  static ClusterServingRuntime runtime() throws IOException {
    return read("ringserve-runtime.yaml", ClusterServingRuntime.class);
  }

  static Container kserveContainer() throws IOException {
    List<Container> containers = runtime().spec().containers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  @Test
  void runtimeIsAClusterServingRuntimeKServeCanSelect() throws IOException {
    ClusterServingRuntime runtime = runtime();
    assertEquals("serving.kserve.io/v1alpha1", runtime.apiVersion());
    assertEquals("ClusterServingRuntime", runtime.kind());
    assertEquals("kserve-ringserve", runtime.metadata().getName());
    Set<String> formats =
        runtime.spec().supportedModelFormats().stream()
            .map(SupportedModelFormat::name)
            .collect(Collectors.toSet());
    assertEquals(Set.of("tensorflow", "onnx", "triton"), formats);
    assertEquals(List.of("v2", "grpc-v2"), runtime.spec().protocolVersions());
    assertTrue(KServeResources.PROTOCOL_VERSIONS.containsAll(runtime.spec().protocolVersions()));
  }

  @Test
  void containerIsKServeContainerWithTritonsKServeArguments() throws IOException {
    Container container = kserveContainer();
    // KServe finds the serving container (storage, ports, resources) by this name.
    assertEquals("kserve-container", container.getName());
    assertTrue(
        container
            .getArgs()
            .containsAll(
                List.of("--model-store=/mnt/models", "--http-port=8080", "--grpc-port=9000")),
        container.getArgs()::toString);
    assertNotNull(container.getImage());
  }

  @Test
  void prometheusAnnotationsNameTheMetricsPortTheServerListensOn() throws IOException {
    ClusterServingRuntime runtime = runtime();
    String port = runtime.spec().annotations().get("prometheus.kserve.io/port");
    assertEquals("/metrics", runtime.spec().annotations().get("prometheus.kserve.io/path"));
    assertTrue(
        kserveContainer().getArgs().contains("--metrics-port=" + port), () -> "port " + port);
  }

  @Test
  void exampleInferenceServiceSelectsTheRuntimeWithAFormatAndProtocolItSupports()
      throws IOException {
    InferenceService service = read("inferenceservice-example.yaml", InferenceService.class);
    assertEquals("serving.kserve.io/v1beta1", service.apiVersion());
    assertEquals("InferenceService", service.kind());
    ModelSpec model = service.spec().predictor().model();
    ClusterServingRuntime runtime = runtime();
    assertEquals(runtime.metadata().getName(), model.runtime());
    assertTrue(
        runtime.spec().supportedModelFormats().stream()
            .anyMatch(
                f ->
                    f.name().equals(model.modelFormat().name())
                        && f.version().equals(model.modelFormat().version())),
        () -> "no supported format " + model.modelFormat());
    assertTrue(runtime.spec().protocolVersions().contains(model.protocolVersion()));
    assertNotNull(model.storageUri());
  }

  @Test
  void aFieldKServeDoesNotDefineIsRefused() {
    JsonNode bad =
        StrictManifests.documents(
                "apiVersion: serving.kserve.io/v1alpha1\nkind: ClusterServingRuntime\n"
                    + "metadata: {name: x}\nspec: {supportedModelFormat: [{name: onnx}]}\n")
            .get(0);
    AssertionError e =
        assertThrows(
            AssertionError.class, () -> StrictManifests.as(bad, ClusterServingRuntime.class));
    assertTrue(e.getMessage().contains("supportedModelFormat"), e::getMessage);
  }

  private static <T> T read(String file, Class<T> type) throws IOException {
    List<JsonNode> documents =
        StrictManifests.documents(Files.readString(DeployFiles.kserve(file)));
    assertEquals(1, documents.size(), file);
    return StrictManifests.as(documents.get(0), type);
  }
}
