package io.ringserve.server;

import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.server.cli.RingServeCommand;
import io.ringserve.server.testing.ExampleRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code ringserve serve} process under load, as Kubernetes sends it to a pod:
 * readiness turns false first while requests keep succeeding through the drain delay, then the
 * server stops, every request the client sent gets one answer (OK, or UNAVAILABLE once the server
 * refuses new calls), and the process exits 0.
 */
class GracefulShutdownProcessTest {
  private static final int DRAIN_SECONDS = 3;
  private static final int LOAD_THREADS = 4;
  private static final Pattern GRPC_PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  @Test
  void sigtermTurnsReadinessFalseFirstKeepsServingThroughTheDrainAndExitsZero() throws Exception {
    Path log = dir.resolve("server.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                RingServeCommand.class.getName(),
                "serve",
                "--model-repository=" + ExampleRepository.only("simple"),
                "--host=127.0.0.1",
                "--grpc-port=0",
                "--allow-http=false",
                "--allow-metrics=false",
                "--shutdown-drain-delay=" + DRAIN_SECONDS,
                "--exit-timeout-secs=10")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ManagedChannel channel = null;
    try {
      int port = awaitReady(process, log);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());

      Load load = new Load(stub);
      load.start();
      Thread.sleep(300);
      long sigterm = System.nanoTime();
      process.destroy(); // SIGTERM

      // Readiness false at once (gRPC ServerReady and grpc.health.v1), while still live.
      boolean ready = true;
      long readyDeadline = sigterm + TimeUnit.SECONDS.toNanos(1);
      while (ready && System.nanoTime() < readyDeadline) {
        ready = stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
      }
      assertFalse(ready, () -> "ServerReady still true a second after SIGTERM\n" + read(log));
      assertEquals(
          ServingStatus.NOT_SERVING,
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService("").build())
              .getStatus());
      assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
      long okAtNotReady = load.ok.get();

      // Serving goes on through most of the drain delay.
      Thread.sleep(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS) * 7 / 10);
      assertTrue(
          load.ok.get() > okAtNotReady,
          () -> "no request succeeded during the drain delay\n" + read(log));
      assertTrue(load.failures.isEmpty(), () -> "failed during the drain: " + load.failures);

      assertTrue(
          process.waitFor(DRAIN_SECONDS + 20, TimeUnit.SECONDS),
          () -> "still running after SIGTERM\n" + read(log));
      assertEquals(0, process.exitValue(), () -> read(log));
      load.stop();

      // Every request got exactly one answer: OK, or UNAVAILABLE once the server stopped.
      assertEquals(load.sent.get(), load.ok.get() + load.unavailable.get(), load::toString);
      assertTrue(load.failures.isEmpty(), () -> "unexpected answers: " + load.failures);
      String text = read(log);
      assertTrue(text.contains("SIGTERM received"), text);
      assertTrue(text.contains("drained all"), text);
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      process.destroyForcibly();
    }
  }

  private static int awaitReady(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), () -> "the server exited during start\n" + read(log));
      String text = read(log);
      Matcher m = GRPC_PORT.matcher(text);
      if (m.find() && text.contains("ready:")) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not ready within 120 s\n" + read(log));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Closed-loop callers, each with a 5 s deadline, counting every answer by kind. */
  private static final class Load {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final GRPCInferenceServiceBlockingStub stub;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Load(GRPCInferenceServiceBlockingStub stub) {
      this.stub = stub;
    }

    void start() {
      ModelInferRequest request = simpleRequest().build();
      for (int i = 0; i < LOAD_THREADS; i++) {
        Thread t =
            new Thread(
                () -> {
                  // Bounded: the server stops within seconds, and every call has a deadline.
                  long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                  while (running && System.nanoTime() < end) {
                    sent.incrementAndGet();
                    try {
                      stub.withDeadlineAfter(5, TimeUnit.SECONDS).modelInfer(request);
                      ok.incrementAndGet();
                    } catch (StatusRuntimeException e) {
                      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                        unavailable.incrementAndGet();
                        running = false;
                      } else {
                        failures
                            .computeIfAbsent(e.getStatus().toString(), k -> new AtomicInteger())
                            .incrementAndGet();
                      }
                    }
                  }
                },
                "load-" + i);
        t.start();
        threads.add(t);
      }
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    @Override
    public String toString() {
      return "sent " + sent + ", ok " + ok + ", unavailable " + unavailable + ", other " + failures;
    }
  }
}
