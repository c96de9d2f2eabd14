package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.RepositoryModelLoadRequest;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.internal.examples.MlpReference;
import io.ringserve.server.internal.examples.MlpWeights;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot-swap acceptance on the real {@code mlp}: while clients keep a steady stream of requests
 * on version 1, version 2 (other weights) arrives, by poll and by {@code RepositoryModelLoad}.
 * Every answer is checked against the reference output of the version that gave it; none may fail,
 * the stream must hold 200 requests/s, and every request sent after the first answer of version 2
 * is answered by version 2.
 */
class MlpHotSwapEndToEndTest {
  private static final int INPUTS = 8;
  private static final int CLIENTS = 8;
  private static final double TOLERANCE = 1e-4;
  private static final long SEED_V2 = MlpWeights.DEFAULT_SEED + 1;

  private static float[][] inputs;
  private static Map<String, double[][]> expected;

  @TempDir Path repository;

  @BeforeAll
  static void computeReferences() {
    Random random = new Random(7);
    MlpWeights v1 = MlpWeights.generate(MlpWeights.DEFAULT_SEED);
    inputs = new float[INPUTS][v1.inputSize()];
    for (float[] row : inputs) {
      for (int i = 0; i < row.length; i++) {
        row[i] = random.nextFloat();
      }
    }
    MlpReference r1 = new MlpReference(v1);
    MlpReference r2 = new MlpReference(MlpWeights.generate(SEED_V2));
    double[][] e1 = new double[INPUTS][];
    double[][] e2 = new double[INPUTS][];
    for (int i = 0; i < INPUTS; i++) {
      e1[i] = r1.apply(inputs[i]);
      e2[i] = r2.apply(inputs[i]);
    }
    expected = Map.of("1", e1, "2", e2);
    // The two versions must be told apart by their outputs, or the check proves nothing.
    assertTrue(Math.abs(e1[0][0] - e2[0][0]) > 100 * TOLERANCE, "versions differ too little");
  }

  private TestServer start(ModelControlMode mode) throws Exception {
    ExampleRepository.copy(ExampleRepository.path().resolve("mlp"), repository.resolve("mlp"));
    return TestServers.start(
        TestServers.config(repository)
            .modelControlMode(mode)
            .repositoryPoll(Duration.ofMillis(200))
            .startupModels(Set.of("mlp"))
            .build());
  }

  /** Writes version 2 beside the repository and moves it in at once, as an operator would. */
  private void dropInVersion2() throws Exception {
    Path staging = Files.createDirectories(repository.resolveSibling("staging-mlp"));
    ExampleModels.writeMlpVersion(staging, 2, MlpWeights.generate(SEED_V2), TestServers.pools());
    Files.move(
        staging.resolve("2"),
        repository.resolve("mlp").resolve("2"),
        StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void shouldSwapToVersion2FoundByPollWithoutAFailedRequest() throws Exception {
    try (TestServer server = start(ModelControlMode.POLL)) {
      Stream stream = new Stream(server);
      stream.start();
      stream.awaitAnswers(200);
      dropInVersion2();
      stream.awaitVersion2(Duration.ofSeconds(20));
      stream.awaitAnswers(stream.sent.get() + 400);
      stream.stopAndCheck();
    }
  }

  @Test
  void shouldSwapToVersion2OnExplicitLoadWithoutAFailedRequest() throws Exception {
    try (TestServer server = start(ModelControlMode.EXPLICIT)) {
      Stream stream = new Stream(server);
      stream.start();
      stream.awaitAnswers(200);
      dropInVersion2();
      server
          .stub()
          .withDeadlineAfter(20, TimeUnit.SECONDS)
          .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("mlp").build());
      // The load answers once version 2 serves: what is sent from now on is version 2's.
      long afterLoad = stream.sent.get();
      stream.awaitAnswers(afterLoad + 400);
      stream.stopAndCheck();
      assertTrue(
          stream.firstVersion2 <= afterLoad,
          "version 2 first answered request "
              + stream.firstVersion2
              + ", load done at "
              + afterLoad);
    }
  }

  /** {@link #CLIENTS} threads sending one request after another, each checked on its answer. */
  private static final class Stream {
    final TestServer server;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong answered = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> version1Seqs = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();
    volatile boolean stop;
    volatile long firstVersion2 = Long.MAX_VALUE;
    long startNanos;

    Stream(TestServer server) {
      this.server = server;
    }

    void start() {
      startNanos = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        Thread t = new Thread(this::run, "mlp-client-" + c);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    private void run() {
      while (!stop) {
        long seq = sent.getAndIncrement();
        int row = (int) (seq % INPUTS);
        ModelInferRequest request =
            ModelInferRequest.newBuilder()
                .setModelName("mlp")
                .addInputs(input("INPUT0", "FP32", 1, inputs[row].length))
                .addRawInputContents(floats(inputs[row]))
                .build();
        try {
          ModelInferResponse response =
              server.stub().withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
          String version = response.getModelVersion();
          double[][] reference = expected.get(version);
          float[] got = readFloats(output(response, "OUTPUT0"));
          if (reference == null || got.length != reference[row].length) {
            failures.add("request " + seq + ": unexpected answer from version " + version);
          } else {
            for (int i = 0; i < got.length; i++) {
              if (Math.abs(got[i] - reference[row][i]) > TOLERANCE) {
                failures.add("request " + seq + ": version " + version + " output " + i + " off");
                break;
              }
            }
          }
          if (version.equals("2")) {
            synchronized (this) {
              firstVersion2 = Math.min(firstVersion2, seq);
            }
          } else {
            version1Seqs.add(seq);
          }
        } catch (RuntimeException e) {
          failures.add("request " + seq + ": " + e);
        }
        answered.incrementAndGet();
      }
    }

    void awaitAnswers(long count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (answered.get() < count && System.nanoTime() < deadline && failures.isEmpty()) {
        Thread.sleep(5);
      }
      assertTrue(answered.get() >= count, "only " + answered.get() + " of " + count + " answered");
    }

    void awaitVersion2(Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (firstVersion2 == Long.MAX_VALUE && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(firstVersion2 != Long.MAX_VALUE, "version 2 never answered within " + limit);
    }

    void stopAndCheck() throws InterruptedException {
      stop = true;
      for (Thread t : threads) {
        t.join(15_000);
      }
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      double rate = answered.get() / seconds;
      System.out.printf(
          "mlp hot swap: %d requests in %.1f s (%.0f/s), first version-2 answer at request %d%n",
          answered.get(), seconds, rate, firstVersion2);
      assertEquals(List.of(), List.copyOf(failures), "failed requests");
      // A request sent after version 2 first answered (with a margin of one request per client,
      // sent at the same moment) must not be answered by version 1.
      long lateOnes = version1Seqs.stream().filter(seq -> seq > firstVersion2 + CLIENTS).count();
      assertEquals(0, lateOnes, "requests answered by version 1 after version 2 served");
      assertTrue(rate >= 200, "the stream held only " + rate + " requests/s");
    }
  }
}
