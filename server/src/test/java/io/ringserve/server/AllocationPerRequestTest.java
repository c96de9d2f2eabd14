package io.ringserve.server;

import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import inference.GrpcService.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Measures what the server allocates per request (Netty decode, validation, queue, batch, split,
 * encode) on the {@code simple} model, counting only server threads: the client runs on threads of
 * its own whose names start with {@code client-}. The figure is printed, in total and per kind of
 * server thread; the test fails if it grows past a bound above today's, so that a regression on the
 * hot path is seen.
 */
class AllocationPerRequestTest {
  /**
   * Measured at about 10 KiB (docs/PERFORMANCE.md, "ModelInfer's own codec"): ~6.3 KiB on the Netty
   * event loop, most of it gRPC's and Netty's own per-call objects, and ~3.6-3.9 KiB on the model's
   * worker (gRPC's queued writes and headers, TensorFlow Java's per-run objects, the output split).
   * The bound leaves about 1 KiB for noise (the worker's share moves with the batch sizes formed),
   * not for a new per-request buffer or copy: the path through protobuf's request and response
   * messages (12.2 KiB) fails it.
   */
  private static final long MAX_BYTES_PER_REQUEST = 11 * 1024;

  @Test
  void shouldAllocateLittlePerRequestOnTheServer() throws Exception {
    TestServer server = TestServers.shared();
    NioEventLoopGroup clientLoop =
        new NioEventLoopGroup(1, new DefaultThreadFactory("client-loop"));
    ExecutorService callers = Executors.newFixedThreadPool(8, r -> new Thread(r, "client-caller"));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.server().port())
            .usePlaintext()
            .eventLoopGroup(clientLoop)
            .channelType(NioSocketChannel.class)
            .executor(callers)
            .build();
    try {
      GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      ModelInferRequest request = simpleRequest().build();
      run(callers, stub, request, 2_000); // warm up: JIT, pools, lazily created threads
      Map<Long, Long> before = serverThreadAllocations();
      int requests = 8_000;
      run(callers, stub, request, requests);
      Map<Long, Long> after = serverThreadAllocations();
      long bytes = 0;
      Map<String, Long> byRole = new TreeMap<>();
      for (Map.Entry<Long, Long> thread : after.entrySet()) {
        long delta = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
        bytes += delta;
        byRole.merge(role(thread.getKey()), delta, Long::sum);
      }
      long perRequest = bytes / requests;
      System.out.println("server allocation per simple request: " + perRequest + " bytes");
      byRole.forEach(
          (role, total) ->
              System.out.println("  " + role + ": " + total / requests + " bytes per request"));
      assertTrue(
          perRequest < MAX_BYTES_PER_REQUEST,
          "server allocated " + perRequest + " bytes per request, bound " + MAX_BYTES_PER_REQUEST);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      callers.shutdownNow();
      clientLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  private static void run(
      ExecutorService callers,
      GRPCInferenceServiceBlockingStub stub,
      ModelInferRequest request,
      int total)
      throws Exception {
    Future<?>[] workers = new Future<?>[8];
    for (int w = 0; w < workers.length; w++) {
      workers[w] =
          callers.submit(
              () -> {
                for (int i = 0; i < total / 8; i++) {
                  stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request);
                }
              });
    }
    for (Future<?> worker : workers) {
      worker.get(120, TimeUnit.SECONDS);
    }
  }

  /** The kind of server thread, from its name: the figures are printed per kind. */
  private static String role(long threadId) {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getId() == threadId) {
        String name = thread.getName();
        if (name.startsWith("grpc-default-worker")) {
          return "Netty event loop";
        }
        if (name.startsWith("ringserve-worker")) {
          return "model worker";
        }
        if (name.startsWith("ringserve-batcher")) {
          return "batcher";
        }
        return "other";
      }
    }
    return "other (ended)";
  }

  private static Map<Long, Long> serverThreadAllocations() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Map<Long, Long> allocated = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (name.startsWith("client-") || thread == Thread.currentThread()) {
        continue;
      }
      long bytes = threads.getThreadAllocatedBytes(thread.getId());
      if (bytes >= 0) {
        allocated.put(thread.getId(), bytes);
      }
    }
    return allocated;
  }
}
