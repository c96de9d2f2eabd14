package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerLiveResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries of {@code UNAVAILABLE} ride out an occasional failure but stop while a server refuses
 * most calls, as an overloaded one with full queues does, so that they do not multiply its load.
 */
class RetryThrottlingTest {
  private final AtomicInteger attempts = new AtomicInteger();
  private Server server;

  /** A server that refuses the first {@code refusals} calls as a full queue does, then answers. */
  private RingServeClient clientOfAServerRefusing(int refusals) throws Exception {
    return clientOfAServerRefusing(refusals, new Metadata(), new CountDownLatch(0));
  }

  /**
   * The same, its refusals carrying {@code trailers}, each held until {@code together} has counted
   * down (every refused attempt counts it down once).
   */
  private RingServeClient clientOfAServerRefusing(
      int refusals, Metadata trailers, CountDownLatch together) throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                  @Override
                  public void serverLive(
                      ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
                    if (attempts.incrementAndGet() <= refusals) {
                      together.countDown();
                      awaitQuietly(together);
                      response.onError(
                          Status.UNAVAILABLE
                              .withDescription("Exceeds maximum queue size")
                              .asRuntimeException(trailers));
                      return;
                    }
                    response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    return RingServeClient.builder()
        .target("127.0.0.1:" + server.getPort())
        .retryPolicy(new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(2), 1.0))
        .defaultDeadline(Duration.ofSeconds(10))
        .build();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.shutdownNow();
    }
  }

  @Test
  void shouldStillRetryAnOccasionalFailure() throws Exception {
    try (RingServeClient client = clientOfAServerRefusing(2)) {
      assertTrue(client.isServerLive(), "the third attempt is answered");
      assertEquals(3, attempts.get());
    }
  }

  @Test
  void shouldRetryABurstOfFailuresSuchAsAStoppingServersCalls() throws Exception {
    int calls = 50;
    // Every call's first attempt is refused, all at once (the server holds each refusal until it
    // has all of them); each call is then answered on its retry.
    try (RingServeClient client =
        clientOfAServerRefusing(calls, new Metadata(), new CountDownLatch(calls))) {
      ExecutorService callers = Executors.newFixedThreadPool(calls);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> answers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          answers.add(
              callers.submit(
                  () -> {
                    start.await();
                    return client.isServerLive();
                  }));
        }
        start.countDown();
        for (Future<Boolean> answer : answers) {
          assertTrue(answer.get(30, TimeUnit.SECONDS), "a call failed although retries remained");
        }
        assertEquals(2 * calls, attempts.get(), "each call refused once, answered on its retry");
      } finally {
        callers.shutdownNow();
      }
    }
  }

  @Test
  void shouldNotRetryARefusalTheServerSaysNotToRetry() throws Exception {
    // What RingServe sends with a queue timeout: the request already waited as long as allowed.
    Metadata noRetry = new Metadata();
    noRetry.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "-1");
    try (RingServeClient client = clientOfAServerRefusing(1, noRetry, new CountDownLatch(0))) {
      RingServeException e = assertThrows(RingServeException.class, client::isServerLive);
      assertEquals(Status.Code.UNAVAILABLE, e.code());
      assertEquals(1, attempts.get());
    }
  }

  @Test
  void shouldStopRetryingWhileTheServerRefusesMostCalls() throws Exception {
    int calls = 200;
    try (RingServeClient client = clientOfAServerRefusing(Integer.MAX_VALUE)) {
      for (int i = 0; i < calls; i++) {
        RingServeException e = assertThrows(RingServeException.class, client::isServerLive);
        assertEquals(Status.Code.UNAVAILABLE, e.code());
      }
    }
    // Unthrottled, each call would be tried 5 times (1,000 attempts). Throttled, the first 100
    // failures (20 calls' attempts) use up the retries' tokens and the other calls are tried once.
    assertTrue(attempts.get() <= calls + 90, attempts.get() + " attempts for " + calls + " calls");
  }
}
