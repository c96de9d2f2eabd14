package io.ringserve.server;

import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.ringserve.server.testing.ByteMutations;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request bodies a client controls byte for byte: a body that does not parse is INVALID_ARGUMENT
 * (not UNKNOWN with a stack trace), and a seeded fuzz of mutated inference requests gets a
 * deliberate status for every one, never UNKNOWN or a Java class name, while the server stays live.
 */
class HostileRequestsEndToEndTest {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
  }

  @Test
  void shouldAnswerAnUnparseableBodyInvalidArgument() throws Exception {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};
    Status status =
        RawInferCalls.send(server.channel(), garbage, Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
    assertTrue(status.getDescription().contains("ModelInfer"), status.toString());
  }

  @Test
  void shouldRefuseAValidRequestFollowedByAStrayEndGroupTag() throws Exception {
    // A parser stops at an end-group tag; what follows must not be silently ignored. The element
    // count refuses it first; the parse's own last-tag check backs it up.
    byte[] valid = simpleRequest().build().toByteArray();
    byte[] body = java.util.Arrays.copyOf(valid, valid.length + 3);
    body[valid.length] = 0x0c; // field 1, wire type 4 (end group)
    body[valid.length + 1] = 0x0a; // then bytes the request would have held
    body[valid.length + 2] = 0x00;
    Status status =
        RawInferCalls.send(server.channel(), body, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
  }

  @Test
  void shouldGiveTwentyThousandMutatedRequestsADeliberateStatus() throws Exception {
    byte[] valid = simpleRequest().setId("fuzz").build().toByteArray();
    Random random = new Random(20_240_101L);
    Map<Status.Code, AtomicInteger> codes = new ConcurrentHashMap<>();
    Map<String, String> bad = new ConcurrentHashMap<>();
    Semaphore window = new Semaphore(64);
    int total = 20_000;
    AtomicInteger answered = new AtomicInteger();
    long started = System.nanoTime();
    for (int i = 0; i < total; i++) {
      byte[] body = ByteMutations.mutate(valid, random);
      window.acquire();
      ClientCall<byte[], byte[]> call =
          server
              .channel()
              .newCall(
                  RawInferCalls.MODEL_INFER,
                  CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
              codes.computeIfAbsent(status.getCode(), c -> new AtomicInteger()).incrementAndGet();
              String description = String.valueOf(status.getDescription());
              if (status.getCode() == Status.Code.UNKNOWN
                  || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                  || description.contains("Exception")
                  || description.contains("java.")) {
                bad.putIfAbsent(status.getCode() + ": " + description, "");
              }
              answered.incrementAndGet();
              window.release();
            }
          },
          new Metadata());
      call.request(1);
      call.sendMessage(body);
      call.halfClose();
    }
    assertTrue(window.tryAcquire(64, 30, TimeUnit.SECONDS), "every request answered");
    assertEquals(total, answered.get());
    assertTrue(bad.isEmpty(), "undeliberate answers: " + bad.keySet() + " of " + codes);
    assertFalse(codes.getOrDefault(Status.Code.INVALID_ARGUMENT, new AtomicInteger()).get() == 0);
    assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 60, "within a minute");
    assertTrue(
        GRPCInferenceServiceGrpc.newBlockingStub(server.channel())
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .serverLive(ServerLiveRequest.getDefaultInstance())
            .getLive());
  }
}
