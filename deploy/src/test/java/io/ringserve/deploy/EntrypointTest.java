package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.ringserve.client.InferRequest;
import io.ringserve.client.RingServeClient;
import io.ringserve.client.Tensor;
import io.ringserve.server.testing.ExampleRepository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the server through the image's entrypoint with exactly the arguments, environment and
 * ports that the rendered chart (and the KServe runtime) give its container, probes it as the
 * kubelet would, and stops it with SIGTERM within the pod's grace period.
 *
 * <p>Ports are free ones instead of 8000-8002 (other servers may run on this machine), set through
 * the chart's values; the host is 127.0.0.1 through {@code server.extraArgs}. The probes are HTTP
 * GETs on the named port once the server has {@code --http-port} (the REST issue); until then the
 * same checks go over gRPC (ServerReady, ServerLive). The drain checks (readiness fails first,
 * serving goes on) switch on once the server has {@code --shutdown-drain-delay}; see {@link
 * ServerFlags}.
 */
class EntrypointTest {
  /** The longest this test waits for a start, below the chart's startup budget of minutes. */
  private static final Duration START_CAP = Duration.ofSeconds(120);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path work;
  private Path models;

  @BeforeEach
  void modelsReadableByTheContainerUser() throws IOException {
    // Folders the container's user 1000 can enter and read, as a mounted volume would be.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    models = work.resolve("models");
    ExampleRepository.copy(ExampleRepository.path().resolve("simple"), models.resolve("simple"));
    try (Stream<Path> files = Files.walk(models)) {
      for (Path p : files.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  @Test
  void chartContainerStartsProbesServesAndStopsWithinItsGracePeriod() throws Exception {
    Ports ports = Ports.free();
    Deployment deployment =
        new Chart()
            .set("ports.http", ports.http)
            .set("ports.grpc", ports.grpc)
            .set("ports.metrics", ports.metrics)
            .set("modelRepository.persistentVolumeClaim.claimName", "models")
            .set("modelRepository.mountPath", models.toString())
            .set("server.extraArgs[0]", "--host=127.0.0.1")
            .render()
            .deployment();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = HelmChartTest.container(deployment);
    Map<String, Integer> named =
        container.getPorts().stream()
            .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertEquals(Map.of("http", ports.http, "grpc", ports.grpc, "metrics", ports.metrics), named);
    List<String> preStop = container.getLifecycle().getPreStop().getExec().getCommand();
    assertEquals("sleep", preStop.get(0));

    runLikeAPod(
        container.getArgs(),
        env(container),
        ports,
        container.getStartupProbe(),
        container.getReadinessProbe().getHttpGet().getPath(),
        container.getLivenessProbe().getHttpGet().getPath(),
        Duration.ofSeconds(pod.getTerminationGracePeriodSeconds() - Long.parseLong(preStop.get(1))),
        drainDelay(container.getArgs()));
  }

  @Test
  void kserveRuntimeContainerStartsProbesServesAndStops() throws Exception {
    Ports ports = Ports.free();
    Container container = KServeRuntimeTest.kserveContainer();
    // KServe mounts the model at /mnt/models and routes to 8080 and 9000: here, a folder and free
    // ports; KServe's pods have Kubernetes' default grace period, 30 s.
    List<String> args = new ArrayList<>();
    for (String arg : container.getArgs()) {
      args.add(
          arg.replace("=/mnt/models", "=" + models)
              .replace("--http-port=8080", "--http-port=" + ports.http)
              .replace("--grpc-port=9000", "--grpc-port=" + ports.grpc)
              .replace("--metrics-port=8002", "--metrics-port=" + ports.metrics));
    }
    args.add("--host=127.0.0.1");
    runLikeAPod(
        args,
        env(container),
        ports,
        null,
        "/v2/health/ready",
        "/v2/health/live",
        Duration.ofSeconds(30),
        drainDelay(args));
  }

  private void runLikeAPod(
      List<String> containerArgs,
      Map<String, String> env,
      Ports ports,
      Probe startup,
      String readinessPath,
      String livenessPath,
      Duration exitBudget,
      Duration drainDelay)
      throws Exception {
    boolean httpProbes = ServerFlags.serverHas("--http-port");
    boolean drains = ServerFlags.serverHas("--shutdown-drain-delay");
    Path tmp = work.resolve("tmp");
    try (ServerProcess server =
        ServerProcess.start(ServerFlags.runnable(containerArgs), env, tmp)) {
      Duration startBudget =
          startup == null
              ? START_CAP
              : min(START_CAP, Duration.ofSeconds(HelmChartTest.startupBudgetSeconds(startup)));
      String startupPath = startup == null ? readinessPath : startup.getHttpGet().getPath();
      awaitStarted(server, ports, httpProbes, startupPath, startBudget);

      try (RingServeClient client = client(ports)) {
        if (httpProbes) {
          assertEquals(200, get(ports.http, livenessPath), "liveness");
          assertEquals(200, get(ports.http, readinessPath), "readiness");
        } else {
          assertTrue(client.isServerLive(), "ServerLive");
          assertTrue(client.isServerReady(), "ServerReady");
        }
        assertInfers(client);
        assertEquals(200, get(ports.metrics, "/metrics"), "metrics");

        long stopAt = System.nanoTime();
        server.sigterm();
        if (drains) {
          assertDrainsBeforeExit(client, ports, readinessPath, drainDelay);
        }
        Integer code = server.awaitExit(exitBudget);
        assertNotNull(
            code,
            () ->
                "still running "
                    + exitBudget
                    + " after SIGTERM (the kubelet kills it here)\n"
                    + server.log());
        // A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks have run.
        assertTrue(code == 0 || code == 143, () -> "exit code " + code + "\n" + server.log());
        assertTrue(Duration.ofNanos(System.nanoTime() - stopAt).compareTo(exitBudget) < 0);
      } finally {
        deleteTree(tmp);
      }
    }
  }

  /** Readiness fails at once while requests still succeed, for the drain delay. */
  private static void assertDrainsBeforeExit(
      RingServeClient client, Ports ports, String readinessPath, Duration drainDelay)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    int status = 200;
    while (status == 200 && System.nanoTime() < deadline) {
      status = get(ports.http, readinessPath);
    }
    assertNotEquals(200, status, "readiness still 200 a second after SIGTERM");
    long drainEnd = System.nanoTime() + drainDelay.multipliedBy(8).dividedBy(10).toNanos();
    int served = 0;
    while (System.nanoTime() < drainEnd) {
      assertInfers(client);
      served++;
    }
    assertTrue(served > 0, "no request tried during the drain delay");
  }

  private static void awaitStarted(
      ServerProcess server, Ports ports, boolean http, String path, Duration budget)
      throws Exception {
    long deadline = System.nanoTime() + budget.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(server.isAlive(), () -> "the server exited during start:\n" + server.log());
      if (http ? get(ports.http, path) == 200 : grpcReady(ports)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not ready within " + budget + ":\n" + server.log());
  }

  private static boolean grpcReady(Ports ports) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", ports.grpc), 1000);
    } catch (IOException e) {
      return false;
    }
    try (RingServeClient client = client(ports)) {
      return client.isServerReady();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static RingServeClient client(Ports ports) {
    return RingServeClient.builder()
        .target("127.0.0.1:" + ports.grpc)
        .defaultDeadline(Duration.ofSeconds(5))
        .build();
  }

  private static void assertInfers(RingServeClient client) {
    int[] a = new int[16];
    int[] b = new int[16];
    int[] sum = new int[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i;
      b[i] = 1;
      sum[i] = i + 1;
    }
    InferRequest request =
        InferRequest.builder("simple")
            .input(Tensor.of("INPUT0", a, 1, 16))
            .input(Tensor.of("INPUT1", b, 1, 16))
            .build();
    assertArrayEquals(sum, client.infer(request).output("OUTPUT0").asInts());
  }

  /** The HTTP status of a GET, as the kubelet's probe sees it; -1 when nothing answers. */
  private static int get(int port, String path) throws InterruptedException {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(2))
              .GET()
              .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      assertTrue(var.getValueFrom() == null, () -> "env " + var.getName() + " needs a cluster");
      env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
    }
    return env;
  }

  private static Duration drainDelay(List<String> args) {
    return args.stream()
        .filter(a -> a.startsWith("--shutdown-drain-delay="))
        .map(a -> Duration.ofSeconds(Long.parseLong(a.substring(a.indexOf('=') + 1))))
        .findFirst()
        .orElse(Duration.ZERO);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Three free ports on 127.0.0.1, for the container's http, grpc and metrics ports. */
  private record Ports(int http, int grpc, int metrics) {
    static Ports free() throws IOException {
      try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
          ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
          ServerSocket c = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return new Ports(a.getLocalPort(), b.getLocalPort(), c.getLocalPort());
      }
    }
  }
}
