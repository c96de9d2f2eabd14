package io.ringserve.server;

import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.RepositoryModelLoadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RepositoryModelLoad} with the model's files in the request ({@code file:<version>/<path>}
 * parameters beside a {@code config} parameter), as Triton's clients send them: the model serves
 * though the repository has no folder for it, and paths that would leave the model's private
 * directory are refused before anything is written.
 */
class ModelFilesLoadEndToEndTest {
  private static final String CONFIG =
      "{\"name\":\"%s\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8,"
          + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
          + "{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}],"
          + "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
          + "{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";

  @TempDir static Path workspace;
  private static Path repository;
  private static TestServer server;
  private static ByteString onnxModel;

  @BeforeAll
  static void start() throws Exception {
    repository = Files.createDirectories(workspace.resolve("models"));
    onnxModel =
        ByteString.copyFrom(
            Files.readAllBytes(ExampleRepository.path().resolve("simple_onnx/1/model.onnx")));
    server =
        TestServers.start(
            TestServers.config(repository)
                .modelControlMode(ModelControlMode.EXPLICIT)
                .startupModels(Set.of())
                .exitOnError(false)
                .build());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.close();
  }

  private static RepositoryModelLoadRequest.Builder load(String model) {
    return RepositoryModelLoadRequest.newBuilder().setModelName(model);
  }

  private static ModelRepositoryParameter string(String value) {
    return ModelRepositoryParameter.newBuilder().setStringParam(value).build();
  }

  private static ModelRepositoryParameter bytes(ByteString value) {
    return ModelRepositoryParameter.newBuilder().setBytesParam(value).build();
  }

  @Test
  void shouldServeAModelWhoseFilesCameInTheRequest() {
    server
        .stub()
        .repositoryModelLoad(
            load("uploaded")
                .putParameters("config", string(CONFIG.formatted("uploaded")))
                .putParameters("file:1/model.onnx", bytes(onnxModel))
                .build());

    assertFalse(Files.exists(repository.resolve("uploaded")), "nothing written to the repository");
    int[] sum =
        readInt32s(
            output(
                server.stub().modelInfer(simpleRequest().setModelName("uploaded").build()),
                "OUTPUT0"));
    for (int i = 0; i < 16; i++) {
      assertEquals(i + 1, sum[i]);
    }
  }

  @Test
  void shouldRefusePathsThatLeaveTheModelDirectory() throws Exception {
    for (String path :
        List.of(
            "../escaped", "1/../../escaped", "/tmp/escaped", "1//model.onnx", "1\\model.onnx")) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  server
                      .stub()
                      .repositoryModelLoad(
                          load("traversal")
                              .putParameters("config", string(CONFIG.formatted("traversal")))
                              .putParameters("file:1/model.onnx", bytes(onnxModel))
                              .putParameters("file:" + path, bytes(ByteString.copyFromUtf8("x")))
                              .build()),
              path);
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), path);
      String message = e.getStatus().getDescription();
      assertTrue(message.startsWith("failed to load 'traversal'"), message);
      assertTrue(message.contains("'file:" + path + "'"), message);
    }
    assertFalse(Files.exists(Path.of("/tmp/escaped")));
    try (Stream<Path> tree = Files.walk(workspace)) {
      assertTrue(tree.noneMatch(p -> p.getFileName().toString().equals("escaped")));
    }
    assertFalse(
        server
            .stub()
            .modelReady(ModelReadyRequest.newBuilder().setName("traversal").build())
            .getReady());
  }

  @Test
  void shouldRequireTheConfigBesideTheFiles() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .repositoryModelLoad(
                        load("noconfig")
                            .putParameters("file:1/model.onnx", bytes(onnxModel))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("'config' parameter"),
        e.getStatus().getDescription());
  }

  @Test
  void shouldFailInTritonsWordsWhenTheFilesAreNotAModel() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .repositoryModelLoad(
                        load("garbage")
                            .putParameters("config", string(CONFIG.formatted("garbage")))
                            .putParameters(
                                "file:1/model.onnx", bytes(ByteString.copyFromUtf8("not onnx")))
                            .build()));
    assertTrue(
        e.getStatus().getDescription().startsWith("failed to load 'garbage'"),
        e.getStatus().getDescription());
  }
}
