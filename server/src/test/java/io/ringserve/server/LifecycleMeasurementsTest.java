package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelUnloadRequest;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle figures of docs/PERFORMANCE.md, each a bounded measurement that prints its figure
 * and checks the target: native memory over 50 load/unload cycles of {@code mlp}, the
 * latency of the first requests after {@code READY} with and without {@code model_warmup}, and
 * {@code simple}'s p99 while {@code mlp} loads. Timing on a shared machine is noisy, so these run
 * only in the {@code lifecycle-measure} profile: {@code ./mvnw -B -pl server -am verify
 * -Plifecycle-measure -Dtest=LifecycleMeasurementsTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "ringserve.measure", matches = "true")
class LifecycleMeasurementsTest {
  @TempDir Path repository;

  private TestServer explicitServer() throws Exception {
    ExampleRepository.copy(ExampleRepository.path().resolve("mlp"), repository.resolve("mlp"));
    ExampleRepository.copy(
        ExampleRepository.path().resolve("simple"), repository.resolve("simple"));
    // mlp without its model_warmup block, under another name.
    Path cold = repository.resolve("mlp_cold");
    ExampleRepository.copy(ExampleRepository.path().resolve("mlp"), cold);
    String config = Files.readString(cold.resolve("config.pbtxt"));
    config = config.substring(0, config.indexOf("model_warmup"));
    Files.writeString(
        cold.resolve("config.pbtxt"), config.replace("name: \"mlp\"", "name: \"mlp_cold\""));
    return TestServers.start(
        TestServers.config(repository)
            .modelControlMode(ModelControlMode.EXPLICIT)
            .startupModels(Set.of("simple"))
            .build());
  }

  private static void load(TestServer server, String model) {
    server
        .stub()
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(model).build());
  }

  private static void unload(TestServer server, String model) {
    server
        .stub()
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .repositoryModelUnload(
            RepositoryModelUnloadRequest.newBuilder().setModelName(model).build());
  }

  private static long rssKib() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmRSS in /proc/self/status");
  }

  @Test
  void nativeMemoryOver50LoadUnloadCyclesOfMlp() throws Exception {
    try (TestServer server = explicitServer()) {
      long before = rssKib();
      long afterFirst = 0;
      for (int cycle = 1; cycle <= 50; cycle++) {
        load(server, "mlp");
        unload(server, "mlp");
        if (cycle == 1) {
          afterFirst = rssKib();
        }
      }
      Thread.sleep(2000); // unloaded versions close on drain threads
      long after = rssKib();
      double growthMb = (after - before) / 1024.0;
      System.out.printf(
          "lifecycle: RSS before %d MiB, after 1 cycle %d MiB, after 50 cycles %d MiB: +%.0f MB"
              + " (+%.0f MB after the first cycle)%n",
          before / 1024, afterFirst / 1024, after / 1024, growthMb, (after - afterFirst) / 1024.0);
      assertTrue(growthMb <= 100, "RSS grew " + growthMb + " MB over 50 load/unload cycles");
    }
  }

  @Test
  void firstRequestsAfterReadyWithAndWithoutWarmup() throws Exception {
    try (TestServer server = explicitServer()) {
      // The server's own request path (gRPC, decoding, batching) warms up on another model first,
      // so that the figures are the model's alone.
      time(server, simpleRequest().build(), 2000);
      double[] cold = firstAndSteady(server, "mlp_cold");
      double[] warm = firstAndSteady(server, "mlp");
      System.out.printf(
          "lifecycle: first 20 requests after READY, median vs steady median: with model_warmup"
              + " %.2f ms vs %.2f ms (%.2fx); without %.2f ms vs %.2f ms (%.2fx), first request"
              + " %.1f ms%n",
          warm[0], warm[1], warm[0] / warm[1], cold[0], cold[1], cold[0] / cold[1], cold[2]);
      assertTrue(warm[0] <= 1.5 * warm[1], "with warmup: " + warm[0] + " vs " + warm[1]);
    }
  }

  /** Median ms of the first 20 requests, of 100 steady ones, and the first request's ms. */
  private static double[] firstAndSteady(TestServer server, String model) {
    load(server, model);
    float[] row = new float[784];
    Arrays.fill(row, 0.5f);
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(input("INPUT0", "FP32", 1, 784))
            .addRawInputContents(floats(row))
            .build();
    double[] first = time(server, request, 20);
    time(server, request, 200);
    double[] steady = time(server, request, 100);
    return new double[] {median(first), median(steady), first[0]};
  }

  @Test
  void simpleP99WhileMlpLoads() throws Exception {
    try (TestServer server = explicitServer()) {
      ModelInferRequest simple = simpleRequest().build();
      time(server, simple, 500);
      double quiet = p99(time(server, simple, 2000));
      AtomicInteger loads = new AtomicInteger();
      Thread loader =
          new Thread(
              () -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                while (System.nanoTime() < end) {
                  load(server, "mlp");
                  unload(server, "mlp");
                  loads.incrementAndGet();
                }
              });
      loader.start();
      List<Double> during = new ArrayList<>();
      while (loader.isAlive()) {
        for (double ms : time(server, simple, 200)) {
          during.add(ms);
        }
      }
      loader.join();
      double loaded = p99(during.stream().mapToDouble(Double::doubleValue).toArray());
      System.out.printf(
          "lifecycle: simple p99 %.2f ms quiet, %.2f ms during %d mlp loads (%.2fx), %d requests%n",
          quiet, loaded, loads.get(), loaded / quiet, during.size());
      assertTrue(loaded <= 2 * quiet, "p99 " + loaded + " ms during loads vs " + quiet + " ms");
    }
  }

  private static double[] time(TestServer server, ModelInferRequest request, int count) {
    double[] ms = new double[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      server.stub().withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    return ms;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double p99(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
  }
}
