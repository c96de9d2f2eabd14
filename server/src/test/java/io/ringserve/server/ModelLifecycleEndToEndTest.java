package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models changing while traffic flows: versions swapped by poll and by explicit load without one
 * failed request, unload under load, a broken model at start, config overrides and warmup. Runs on
 * test backends that load in microseconds, so the lifecycle, not an engine, is under test.
 */
class ModelLifecycleEndToEndTest {
  private static final Duration POLL = Duration.ofMillis(200);

  @TempDir Path repository;

  private final AddBackend add = new AddBackend();
  private final GatedBackend gated = new GatedBackend();

  private TestServer start(ModelControlMode mode, String... startupModels) throws IOException {
    return TestServers.start(
        TestServers.config(repository)
            .backends(List.of(add, gated))
            .modelControlMode(mode)
            .repositoryPoll(POLL)
            .startupModels(Set.of(startupModels))
            .exitOnError(false)
            .build());
  }

  private void writeAddModel(String extraConfig, long version) throws IOException {
    Files.createDirectories(repository.resolve("add"));
    Files.writeString(
        repository.resolve("add").resolve("config.pbtxt"), AddBackend.config("add", extraConfig));
    AddBackend.writeVersion(repository, "add", version, (int) version * 100);
  }

  /** Version {@code version} of add, written beside the repository and moved in at once. */
  private void dropInVersion(long version) throws IOException {
    Path staging = repository.resolveSibling(repository.getFileName() + "-staging");
    AddBackend.writeVersion(staging, "add", version, (int) version * 100);
    Files.move(
        staging.resolve("add").resolve(Long.toString(version)),
        repository.resolve("add").resolve(Long.toString(version)),
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static ModelInferRequest addRequest(int base) {
    return ModelInferRequest.newBuilder()
        .setModelName("add")
        .addInputs(input("INPUT0", "INT32", 1, 4))
        .addRawInputContents(int32s(base, base + 1, base + 2, base + 3))
        .build();
  }

  @Test
  void shouldSwapToANewVersionFoundByPollWithoutAFailedRequest() throws Exception {
    writeAddModel("", 1);
    add.runMicros = 200;
    try (TestServer server = start(ModelControlMode.POLL);
        Traffic traffic = new Traffic(server)) {
      traffic.awaitAnswers(200);
      dropInVersion(2);
      traffic.awaitVersion("2", Duration.ofSeconds(20));
      long swapped = traffic.sent();
      traffic.awaitAnswers(swapped + 200);
      traffic.stop();
      traffic.assertNoFailures();
      traffic.assertOnlyVersionAfter("2", swapped);
      awaitCloses(1);
    }
  }

  @Test
  void shouldNotPollWhenThePollIntervalIsZeroAsTritonDoes() throws Exception {
    writeAddModel("", 1);
    try (TestServer server =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(add, gated))
                .modelControlMode(ModelControlMode.POLL)
                .repositoryPoll(Duration.ZERO)
                .build())) {
      dropInVersion(2);
      // Five times the interval the poll tests above use: a poller would have swapped by now.
      Thread.sleep(POLL.multipliedBy(5).toMillis());
      ModelInferResponse response = server.stub().modelInfer(addRequest(1));
      assertEquals("1", response.getModelVersion());
      assertEquals(101, readInt32s(output(response, "OUTPUT0"))[0]);
    }
  }

  @Test
  void shouldSwapToANewVersionOnExplicitLoadWithoutAFailedRequest() throws Exception {
    writeAddModel("", 1);
    add.runMicros = 200;
    try (TestServer server = start(ModelControlMode.EXPLICIT, "add");
        Traffic traffic = new Traffic(server)) {
      traffic.awaitAnswers(200);
      AddBackend.writeVersion(repository, "add", 2, 200);
      server
          .stub()
          .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("add").build());
      // The load answers once version 2 serves: every request sent from now on goes to it.
      long loaded = traffic.sent();
      traffic.awaitAnswers(loaded + 200);
      traffic.stop();
      traffic.assertNoFailures();
      traffic.assertOnlyVersionAfter("2", loaded);
      awaitCloses(1);
      assertEquals(
          List.of("1:UNAVAILABLE:unloaded", "2:READY:"),
          server
              .stub()
              .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
              .getModelsList()
              .stream()
              .map(m -> m.getVersion() + ":" + m.getState() + ":" + m.getReason())
              .toList());
    }
  }

  @Test
  void shouldFinishInFlightRequestsOfAnUnloadedModelAndRefuseLaterOnes() throws Exception {
    Files.createDirectories(repository.resolve("gated").resolve("1"));
    Files.writeString(
        repository.resolve("gated").resolve("config.pbtxt"), GatedBackend.config("gated", ""));
    Files.writeString(repository.resolve("gated").resolve("1").resolve("model.gated"), "");
    try (TestServer server = start(ModelControlMode.EXPLICIT, "gated")) {
      GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub async =
          GRPCInferenceServiceGrpc.newFutureStub(server.channel())
              .withDeadlineAfter(30, TimeUnit.SECONDS);
      List<ListenableFuture<ModelInferResponse>> inFlight = new ArrayList<>();
      inFlight.add(async.modelInfer(gatedRequest(1)));
      assertTrue(gated.runStarted.await(10, TimeUnit.SECONDS));
      inFlight.add(async.modelInfer(gatedRequest(2)));
      inFlight.add(async.modelInfer(gatedRequest(3)));

      server
          .stub()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder()
                  .setModelName("gated")
                  .putParameters(
                      "unload_dependents",
                      ModelRepositoryParameter.newBuilder().setBoolParam(true).build())
                  .build());
      StatusRuntimeException later =
          assertThrows(
              StatusRuntimeException.class, () -> server.stub().modelInfer(gatedRequest(4)));
      assertEquals(Status.Code.UNAVAILABLE, later.getStatus().getCode());
      assertTrue(
          later.getStatus().getDescription().contains("'gated'"),
          later.getStatus().getDescription());
      assertEquals("UNLOADING", indexOf(server, "gated").getState());

      gated.gate.release(100);
      for (ListenableFuture<ModelInferResponse> f : inFlight) {
        assertEquals("gated", f.get(10, TimeUnit.SECONDS).getModelName());
      }
      awaitState(server, "gated", "UNAVAILABLE");
      assertEquals("unloaded", indexOf(server, "gated").getReason());
      StatusRuntimeException after =
          assertThrows(
              StatusRuntimeException.class, () -> server.stub().modelInfer(gatedRequest(5)));
      assertTrue(
          after.getStatus().getDescription().contains("unloaded"),
          after.getStatus().getDescription());
    }
  }

  @Test
  void shouldRefuseLoadAndUnloadOutsideExplicitModeInTritonsWords() {
    TestServer shared = TestServers.shared();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                shared
                    .stub()
                    .repositoryModelLoad(
                        RepositoryModelLoadRequest.newBuilder().setModelName("simple").build()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(
        "explicit model load / unload is not allowed if polling is enabled",
        e.getStatus().getDescription());
    assertThrows(
        StatusRuntimeException.class,
        () ->
            shared
                .stub()
                .repositoryModelUnload(
                    RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build()));
  }

  @Test
  void shouldRefuseALoadWhoseNameReachesOutsideTheRepository() throws Exception {
    writeAddModel("", 1);
    Path outside = repository.resolveSibling(repository.getFileName() + "-outside");
    AddBackend.writeVersion(outside.getParent(), outside.getFileName().toString(), 1, 7);
    Files.writeString(outside.resolve("config.pbtxt"), "max_batch_size: 8\n");
    try (TestServer server = start(ModelControlMode.EXPLICIT, "add")) {
      for (String name : List.of("../" + outside.getFileName(), "..", "", "add/../add")) {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    server
                        .stub()
                        .repositoryModelLoad(
                            RepositoryModelLoadRequest.newBuilder().setModelName(name).build()),
                name);
        assertTrue(
            e.getStatus().getDescription().contains("no such model in the repository"),
            e.getStatus().getDescription());
      }
      assertTrue(
          server.server().repository().index().stream()
              .noneMatch(entry -> entry.name().contains("..") || entry.name().isEmpty()),
          server.server().repository().index().toString());
    }
  }

  @Test
  void shouldExitAtStartOnABrokenModelByDefault() throws IOException {
    writeAddModel("", 1);
    Files.createDirectories(repository.resolve("broken").resolve("1"));
    Files.writeString(repository.resolve("broken").resolve("config.pbtxt"), "max_batch_size: x\n");
    ModelsFailedToLoadException e =
        assertThrows(
            ModelsFailedToLoadException.class,
            () ->
                TestServers.start(
                    TestServers.config(repository).backends(List.of(add, gated)).build()));
    assertTrue(e.getMessage().startsWith("failed to load 'broken'"), e.getMessage());
    assertTrue(e.getMessage().contains("config.pbtxt"), e.getMessage());
  }

  @Test
  void shouldTurnReadyOnceABrokenModelIsFixedAndLoaded() throws Exception {
    writeAddModel("", 1);
    Path broken = repository.resolve("broken");
    AddBackend.writeVersion(repository, "broken", 1, 7);
    Files.writeString(broken.resolve("config.pbtxt"), "max_batch_size: x\n");
    try (TestServer server = start(ModelControlMode.EXPLICIT, "*")) {
      assertFalse(server.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertEquals(101, readInt32s(output(server.stub().modelInfer(addRequest(1)), "OUTPUT0"))[0]);

      StatusRuntimeException stillBroken =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  server
                      .stub()
                      .repositoryModelLoad(
                          RepositoryModelLoadRequest.newBuilder().setModelName("broken").build()));
      assertTrue(
          stillBroken.getStatus().getDescription().startsWith("failed to load 'broken'"),
          stillBroken.getStatus().getDescription());

      Files.writeString(broken.resolve("config.pbtxt"), AddBackend.config("broken", ""));
      server
          .stub()
          .repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName("broken").build());
      assertTrue(server.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertTrue(
          server
              .stub()
              .modelReady(ModelReadyRequest.newBuilder().setName("broken").build())
              .getReady());
    }
  }

  @Test
  void shouldApplyAJsonConfigOverrideAndKeepServingWhenOneIsInvalid() throws Exception {
    writeAddModel("", 1);
    try (TestServer server = start(ModelControlMode.EXPLICIT, "add")) {
      String json =
          "{\"name\":\"add\",\"platform\":\"" + AddBackend.PLATFORM + "\",\"max_batch_size\":4}";
      server.stub().repositoryModelLoad(loadAddWith(json));
      assertEquals(4, maxBatchSize(server));

      for (String invalid :
          List.of(
              "{\"max_batch_size\": \"many\"}",
              "{\"platform\":\"" + AddBackend.PLATFORM + "\",\"max_batch_size\":-3}")) {
        StatusRuntimeException e = refusedLoad(server, invalid);
        assertTrue(
            e.getStatus().getDescription().startsWith("failed to load 'add'"),
            e.getStatus().getDescription());
        assertEquals(4, maxBatchSize(server));
        assertEquals(
            101, readInt32s(output(server.stub().modelInfer(addRequest(1)), "OUTPUT0"))[0]);
      }
    }
  }

  @Test
  void shouldRefuseAnOverrideThatWouldExhaustTheServerNamingTheFieldAndKeepServing()
      throws Exception {
    writeAddModel("", 1);
    try (TestServer server = start(ModelControlMode.EXPLICIT, "add")) {
      String platform = "\"platform\":\"" + AddBackend.PLATFORM + "\"";
      Map<String, String> hostile =
          Map.of(
              "{" + platform + ",\"max_batch_size\":300000000}",
              "max_batch_size must be between 0 and 1048576, got 300000000",
              "{" + platform + ",\"instance_group\":[{\"count\":5000}]}",
              "instance_group count must be between 0 and 256, got 5000",
              "{" + platform + ",\"default_model_filename\":\"../../../etc/passwd\"}",
              "default_model_filename must name a file inside the version folder");
      for (Map.Entry<String, String> h : hostile.entrySet()) {
        StatusRuntimeException e = refusedLoad(server, h.getKey());
        assertTrue(
            e.getStatus().getDescription().contains(h.getValue()),
            h.getKey() + ": " + e.getStatus().getDescription());
        assertEquals(
            101, readInt32s(output(server.stub().modelInfer(addRequest(1)), "OUTPUT0"))[0]);
      }
    }
  }

  /** A load of {@code add} with the config override {@code json}. */
  private static RepositoryModelLoadRequest loadAddWith(String json) {
    return RepositoryModelLoadRequest.newBuilder()
        .setModelName("add")
        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam(json).build())
        .build();
  }

  /** Loads {@code add} with the config override {@code json}, which must be refused. */
  private static StatusRuntimeException refusedLoad(TestServer server, String json) {
    return assertThrows(
        StatusRuntimeException.class, () -> server.stub().repositoryModelLoad(loadAddWith(json)));
  }

  @Test
  void shouldRunWarmupOnEveryInstanceBeforeReadyAndNotCountIt() throws Exception {
    writeAddModel(
        "instance_group [ { count: 2 kind: KIND_CPU } ]\n"
            + "model_warmup [ { name: \"zeros\" batch_size: 8 count: 3\n"
            + "  inputs { key: \"INPUT0\" value: { data_type: TYPE_INT32 dims: [ 4 ] zero_data: true } } } ]\n",
        1);
    try (TestServer server = start(ModelControlMode.EXPLICIT, "add")) {
      assertEquals(6, add.runs.get());
      assertEquals(
          0,
          server
              .stub()
              .modelStatistics(ModelStatisticsRequest.newBuilder().setName("add").build())
              .getModelStats(0)
              .getInferenceCount());
      assertArrayEquals(
          new int[] {105, 106, 107, 108},
          readInt32s(output(server.stub().modelInfer(addRequest(5)), "OUTPUT0")));
    }
  }

  private static long maxBatchSize(TestServer server) {
    return server
        .stub()
        .modelConfig(ModelConfigRequest.newBuilder().setName("add").build())
        .getConfig()
        .getMaxBatchSize();
  }

  private static ModelInferRequest gatedRequest(int first) {
    return ModelInferRequest.newBuilder()
        .setModelName("gated")
        .addInputs(input("INPUT0", "INT32", 1, 4))
        .addRawInputContents(int32s(first, 0, 0, 0))
        .build();
  }

  private static ModelIndex indexOf(TestServer server, String name) {
    return server
        .stub()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList()
        .stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void awaitState(TestServer server, String name, String state)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!indexOf(server, name).getState().equals(state)) {
      assertTrue(System.nanoTime() < deadline, name + " never reached " + state);
      Thread.sleep(10);
    }
  }

  private void awaitCloses(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (add.closes.get() < expected) {
      assertTrue(System.nanoTime() < deadline, "the old version was never closed");
      Thread.sleep(10);
    }
  }

  /**
   * A steady stream of requests to {@code add} from two threads, each answer checked against the
   * version that answered it (version N adds N * 100). Bounded: it stops by itself after a minute.
   */
  private static final class Traffic implements AutoCloseable {
    private final TestServer server;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Long, String> versions = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Traffic(TestServer server) {
      this.server = server;
      for (int i = 0; i < 2; i++) {
        Thread t = new Thread(this::send, "traffic-" + i);
        t.start();
        threads.add(t);
      }
    }

    private void send() {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!stopped && System.nanoTime() < until) {
        long seq = sent.incrementAndGet();
        int base = (int) (seq % 1000);
        try {
          ModelInferResponse r = server.stub().modelInfer(addRequest(base));
          int addend = Integer.parseInt(r.getModelVersion()) * 100;
          int[] out = readInt32s(output(r, "OUTPUT0"));
          if (out[0] != base + addend || out[3] != base + 3 + addend) {
            failures.add("request " + seq + ": wrong output from version " + r.getModelVersion());
          }
          versions.put(seq, r.getModelVersion());
          answered.incrementAndGet();
        } catch (RuntimeException e) {
          failures.add("request " + seq + ": " + e);
        }
      }
    }

    long sent() {
      return sent.get();
    }

    long answered() {
      return answered.get();
    }

    void awaitAnswers(long count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (answered.get() < count && failures.isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "only " + answered.get() + " answers");
        Thread.sleep(5);
      }
    }

    void awaitVersion(String version, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (!versions.containsValue(version)) {
        assertTrue(System.nanoTime() < deadline, "version " + version + " never answered");
        Thread.sleep(5);
      }
    }

    void assertNoFailures() {
      assertEquals(List.of(), List.copyOf(failures));
    }

    void assertOnlyVersionAfter(String version, long seq) {
      versions.forEach(
          (s, v) -> {
            if (s > seq) {
              assertEquals(version, v, "request " + s + " (sent after " + seq + ")");
            }
          });
    }

    void stop() throws InterruptedException {
      stopped = true;
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
