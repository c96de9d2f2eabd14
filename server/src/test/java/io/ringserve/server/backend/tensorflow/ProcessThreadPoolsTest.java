package io.ringserve.server.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.DataType;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.backend.TensorFlowBackend;
import io.ringserve.server.examples.ExampleModels;
import io.ringserve.server.repository.ModelConfigs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's intra-op thread setting holds on its first start, when the example models are
 * generated in the same process before any model loads. TensorFlow sizes its process-wide pool
 * once, from the first session, so this runs in a fresh JVM ({@link Probe}) where the order is the
 * server's: reserve the setting, generate the examples (export sessions), load {@code mlp}.
 */
class ProcessThreadPoolsTest {

  @TempDir Path dir;

  @Test
  void shouldRunAModelOnItsCallingThreadWhenAskedForOneIntraOpThreadAfterExportingExamples()
      throws Exception {
    // With one core TensorFlow's own default is one thread as well, and the test could not fail.
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two or more cores");

    Process probe =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("probe.log").toFile())
            .start();
    assertTrue(probe.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish in 120 s");
    String log = Files.readString(dir.resolve("probe.log"), StandardCharsets.UTF_8);
    assertEquals(0, probe.exitValue(), log);

    double share = Double.parseDouble(Probe.result(log));
    // One intra-op thread: every batch runs on the calling thread (measured 0.95-1.0). With the
    // export sessions' default pool of one thread per core, it ran on pool threads while the
    // caller waited (measured 0.18).
    assertTrue(share > 0.7, "calling thread's share of the run time: " + share + "\n" + log);
  }

  /** The server's start-up order in a fresh JVM; prints the calling thread's share of the time. */
  public static final class Probe {
    private static final String PREFIX = "calling-thread-cpu-share=";

    public static void main(String[] args) throws Exception {
      BackendOptions oneThread = new BackendOptions(1, BackendOptions.CALLER_THREAD);
      ProcessThreadPools.reserve(oneThread);
      Path repository = Path.of(args[0]).resolve("models");
      ExampleModels.writeTo(repository);
      Path mlp = repository.resolve("mlp");
      try (LoadedModel model =
              new TensorFlowBackend()
                  .load(
                      mlp.resolve("1").resolve("model.savedmodel"),
                      ModelConfigs.read(mlp),
                      oneThread);
          ModelRunner runner = model.newRunner()) {
        Batch batch = batchOf(64);
        for (int i = 0; i < 20; i++) {
          runner.run(batch);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long wallBefore = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          runner.run(batch);
        }
        double cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        System.out.println(PREFIX + cpu / (System.nanoTime() - wallBefore));
      }
    }

    static String result(String log) throws IOException {
      return log.lines()
          .filter(line -> line.startsWith(PREFIX))
          .map(line -> line.substring(PREFIX.length()))
          .findFirst()
          .orElseThrow(() -> new IOException("no result in the probe's output:\n" + log));
    }

    private static Batch batchOf(int rows) {
      ByteBuffer data = ByteBuffer.allocate(rows * 784 * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < rows * 784; i++) {
        data.putFloat((i % 97) / 97f);
      }
      data.flip();
      Tensor input = Tensor.of("INPUT0", DataType.FP32, new long[] {rows, 784}, data);
      return Batch.direct(rows, List.of(input), Set.of());
    }
  }
}
