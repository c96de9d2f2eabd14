package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.OperatingSystemMXBean;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.internal.repository.ModelConfigs;
import io.ringserve.wire.DataType;
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
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's intra-op thread setting holds on its first start, when the example models are
 * generated in the same process before any model loads. TensorFlow sizes its process-wide pool
 * once, from the first session, so this runs in a fresh JVM ({@link Probe}) that does what {@code
 * serve} does: generate the examples with the pool setting made from the server's engine options
 * (export sessions), then load {@code mlp} through a backend holding the same setting.
 */
class ProcessThreadPoolsTest {

  @TempDir Path dir;

  @Test
  void shouldKeepThePoolThreadsFromSpinningWhateverSessionComesFirst() {
    // TensorFlow builds its process-wide pools, spinning or not, from the first session's config:
    // the export session on a first start, a model's otherwise. Both must turn the spinning off,
    // or the pools would burn CPU after every operation for the whole process.
    ProcessThreadPools pools = new ProcessThreadPools(new BackendOptions(4, 0));

    assertTrue(pools.exportConfig().getExperimental().getDisableThreadSpinning(), "export session");
    assertTrue(
        pools
            .sessionOptions(new TensorFlowOptions(2, BackendOptions.CALLER_THREAD))
            .toConfigProto()
            .getExperimental()
            .getDisableThreadSpinning(),
        "model session");
    assertTrue(
        TensorFlowOptions.DEFAULTS.toConfigProto().getExperimental().getDisableThreadSpinning(),
        "TensorFlow's default thread counts");
  }

  @Test
  void shouldRunAModelOnItsCallingThreadWhenAskedForOneIntraOpThreadAfterExportingExamples()
      throws Exception {
    // With one core TensorFlow's own default is one thread as well, and the test could not fail.
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two or more cores");

    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("probe.log").toFile());
    // Either variable sizes the pool whatever the sessions ask, and the test would pass regardless.
    builder.environment().remove("TF_OVERRIDE_GLOBAL_THREADPOOL");
    builder.environment().remove("TF_NUM_INTRAOP_THREADS");
    Process probe = builder.start();
    try {
      assertTrue(probe.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish in 120 s");
    } finally {
      probe.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("probe.log"), StandardCharsets.UTF_8);
    assertEquals(0, probe.exitValue(), log);

    // JavaCPP read no resident-memory limit: tensors are made without reading /proc per tensor.
    assertTrue(log.contains(Probe.NO_RESIDENT_CHECKS), log);

    double share = Double.parseDouble(Probe.result(log));
    // One intra-op thread: the calling thread does the work (measured 0.87-0.89 of the process's
    // CPU, the rest is JIT and GC). With the export sessions' default pool of one thread per core,
    // pool threads did it while the caller waited (measured 0.20).
    assertTrue(share > 0.6, "calling thread's share of the process's CPU: " + share + "\n" + log);
  }

  /**
   * The server's start-up order in a fresh JVM; prints the calling thread's share of the process's
   * CPU time while it runs batches (a share of CPU, not of wall time, so other load on the machine
   * does not move it).
   */
  public static final class Probe {
    private static final String PREFIX = "calling-thread-cpu-share=";
    static final String NO_RESIDENT_CHECKS = "javacpp-max-physical-bytes=0";

    public static void main(String[] args) throws Exception {
      BackendOptions oneThread = new BackendOptions(1, BackendOptions.CALLER_THREAD);
      ProcessThreadPools pools = new ProcessThreadPools(oneThread);
      Path repository = Path.of(args[0]).resolve("models");
      ExampleModels.ensureGenerated(repository, pools);
      Path mlp = repository.resolve("mlp");
      try (LoadedModel model =
              new TensorFlowBackend(pools)
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
        OperatingSystemMXBean process =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long threadBefore = threads.getCurrentThreadCpuTime();
        long processBefore = process.getProcessCpuTime();
        for (int i = 0; i < 100; i++) {
          runner.run(batch);
        }
        double thread = threads.getCurrentThreadCpuTime() - threadBefore;
        System.out.println(PREFIX + thread / (process.getProcessCpuTime() - processBefore));
        System.out.println("javacpp-max-physical-bytes=" + Pointer.maxPhysicalBytes());
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
