package io.ringserve.server;

import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import inference.GrpcService.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with a broken model and a model with several versions: the broken one is reported
 * with its reason and the rest still serve; the version policy picks what serves.
 */
class RepositoryEndToEndTest {
  @TempDir static Path repository;
  private static TestServer server;

  @BeforeAll
  static void startServer() throws IOException {
    Path simple = ExampleRepository.path().resolve("simple");
    // simple: versions 1 and 2 on disk; the default policy serves only the latest.
    ExampleRepository.copy(simple.resolve("1"), repository.resolve("simple").resolve("1"));
    ExampleRepository.copy(simple.resolve("1"), repository.resolve("simple").resolve("2"));
    Files.copy(
        simple.resolve("config.pbtxt"), repository.resolve("simple").resolve("config.pbtxt"));
    // both: the same model, with a policy that serves every version.
    ExampleRepository.copy(repository.resolve("simple"), repository.resolve("both"));
    Files.writeString(
        repository.resolve("both").resolve("config.pbtxt"),
        Files.readString(simple.resolve("config.pbtxt")).replace("\"simple\"", "\"both\"")
            + "\nversion_policy: { all: { } }\n");
    // broken: a config that does not parse.
    Files.createDirectories(repository.resolve("broken").resolve("1").resolve("model.savedmodel"));
    Files.writeString(
        repository.resolve("broken").resolve("config.pbtxt"), "max_batch_size: eight\n");
    // hollow: a version folder with no model in it.
    Files.createDirectories(repository.resolve("hollow").resolve("1"));
    // --exit-on-error false: the broken models are reported, the rest serve.
    server = TestServers.start(TestServers.config(repository).exitOnError(false).build());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @Test
  void shouldReportBrokenModelsWithTheirReasonAndServeTheRest() {
    List<ModelIndex> index =
        server.stub().repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsList();
    ModelIndex broken = find(index, "broken");
    assertEquals("UNAVAILABLE", broken.getState());
    assertTrue(broken.getReason().contains("config.pbtxt"), broken.getReason());
    ModelIndex hollow = find(index, "hollow");
    assertEquals("UNAVAILABLE", hollow.getState());
    assertTrue(hollow.getReason().contains("hollow"), hollow.getReason());
    // Where the repository lives on the server is not the client's business.
    for (ModelIndex model : index) {
      assertNoServerPath(model.getReason());
    }

    ModelInferResponse response = server.stub().modelInfer(simpleRequest().build());
    assertEquals("2", response.getModelVersion());

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> server.stub().modelInfer(simpleRequest().setModelName("broken").build()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("config.pbtxt"), e.getStatus().getDescription());
    assertNoServerPath(e.getStatus().getDescription());

    // Strict readiness: one broken model makes the server not ready, as in Triton.
    assertFalse(server.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
  }

  @Test
  void shouldEchoALongRequestedModelNameOnlyTruncated() {
    String name = "m".repeat(10_000);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> server.stub().modelInfer(simpleRequest().setModelName(name).build()));

    assertTrue(
        e.getStatus().getCode() == Status.Code.NOT_FOUND
            || e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT,
        e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().length() < 400, e.getStatus().getDescription());
  }

  private static void assertNoServerPath(String message) {
    assertFalse(message.contains(repository.toString()), message);
    assertFalse(message.contains(repository.getParent().toString() + "/"), message);
  }

  @Test
  void shouldServeTheVersionsThePolicySelects() {
    assertTrue(ready("simple", "2"));
    assertFalse(ready("simple", "1"));
    assertTrue(ready("both", "1"));
    assertTrue(ready("both", "2"));
    assertEquals(
        List.of("1", "2"),
        server
            .stub()
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("both").build())
            .getVersionsList());
    assertEquals(
        "1",
        server
            .stub()
            .modelInfer(simpleRequest().setModelName("both").setModelVersion("1").build())
            .getModelVersion());
    assertEquals(
        "2",
        server.stub().modelInfer(simpleRequest().setModelName("both").build()).getModelVersion());
  }

  private boolean ready(String model, String version) {
    return server
        .stub()
        .modelReady(ModelReadyRequest.newBuilder().setName(model).setVersion(version).build())
        .getReady();
  }

  private static ModelIndex find(List<ModelIndex> index, String name) {
    return index.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + index));
  }
}
