package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameStream;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport's limits hold against a client that misbehaves on purpose (findings 1, 3 and 6 of
 * the reliability issue, and connection limits): each attack runs, bounded, on a raw HTTP/2
 * connection against a real server on 127.0.0.1, and a legitimate caller on another connection is
 * answered correctly within 2 s throughout.
 */
class TransportLimitsEndToEndTest {
  private static final String SERVER_LIVE = "inference.GRPCInferenceService/ServerLive";
  private static final String MODEL_INFER = "inference.GRPCInferenceService/ModelInfer";

  @TempDir Path repository;

  private TestServer server;

  private TestServer start(GrpcLimits limits) throws Exception {
    Files.createDirectories(repository);
    server = TestServers.start(TestServers.config(repository).grpcLimits(limits).build());
    return server;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  /** A fresh connection's caller, as a legitimate client would be: answered within 2 s. */
  private static void legitimateCallerIsServed(TestServer server) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(TestServer.HOST, server.port()).usePlaintext().build();
    try {
      var stub =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS);
      assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
      assertTrue(
          GRPCInferenceServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .serverReady(ServerReadyRequest.getDefaultInstance())
              .getReady());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void shouldPinAtMostTheCallLimitForAClientThatNeverReads() throws Exception {
    TestServer server = start(GrpcLimits.builder().maxConcurrentCallsPerConnection(100).build());
    try (RawHttp2Connection attacker = new RawHttp2Connection(TestServer.HOST, server.port(), 0)) {
      byte[] empty = RawHttp2Connection.grpcFrame(new byte[0]);
      // Calls whose answers the server may never write: the client's receive window is 0.
      for (int burst = 0; burst < 10 && attacker.isOpen(); burst++) {
        for (int i = 0; i < 500; i++) {
          Http2FrameStream stream = attacker.newStream();
          attacker.headers(stream, SERVER_LIVE, false);
          attacker.data(stream, empty, true);
        }
        attacker.flush();
        legitimateCallerIsServed(server);
      }
      Thread.sleep(200);
      int answered = attacker.responseHeaders.get();
      // A client that waits for the server's SETTINGS is held to 100 streams; one that does not
      // has the excess refused, and, refused too often, its connection closed.
      assertTrue(
          answered > 0 || !attacker.isOpen(),
          "the attack reached the server: resets " + attacker.resetsReceived);
      assertTrue(answered <= 100, "calls held open on one connection: " + answered);
    }
    legitimateCallerIsServed(server);
  }

  @Test
  void shouldCloseAConnectionThatResetsStreamsRapidly() throws Exception {
    TestServer server =
        start(GrpcLimits.builder().maxRstFrames(100, Duration.ofSeconds(10)).build());
    try (RawHttp2Connection attacker =
        new RawHttp2Connection(TestServer.HOST, server.port(), 65535)) {
      for (int burst = 0; burst < 20 && attacker.isOpen(); burst++) {
        for (int i = 0; i < 100 && attacker.isOpen(); i++) {
          Http2FrameStream stream;
          try {
            stream = attacker.newStream();
          } catch (IllegalStateException closedMeanwhile) {
            // The server closed the connection between two resets: what this test expects.
            assertFalse(attacker.isOpen(), closedMeanwhile.toString());
            break;
          }
          attacker.headers(stream, SERVER_LIVE, false);
          attacker.reset(stream);
        }
        attacker.flush();
      }
      assertTrue(
          attacker.goAway.await(5, TimeUnit.SECONDS) || attacker.closed.await(1, TimeUnit.SECONDS),
          "the server ends a rapid-reset connection");
      assertTrue(attacker.closed.await(5, TimeUnit.SECONDS), "and closes it");
    }
    legitimateCallerIsServed(server);
  }

  @Test
  void shouldAnswerAndFreeHalfSentMessagesAfterTheReceiveTimeout() throws Exception {
    TestServer server =
        start(GrpcLimits.builder().messageReceiveTimeout(Duration.ofSeconds(1)).build());
    int declared = TestServers.MAX_MESSAGE_BYTES - 1024;
    byte[] part = new byte[256 * 1024];
    try (RawHttp2Connection attacker =
        new RawHttp2Connection(TestServer.HOST, server.port(), 65535)) {
      List<Http2FrameStream> streams = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Http2FrameStream stream = attacker.newStream();
        attacker.headers(stream, MODEL_INFER, false);
        attacker.data(stream, RawHttp2Connection.grpcPrefix(declared, part), false);
        streams.add(stream);
      }
      attacker.flush();
      legitimateCallerIsServed(server);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (attacker.grpcStatusByStream.size() < streams.size() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      for (Http2FrameStream stream : streams) {
        assertEquals(
            "4", attacker.grpcStatusByStream.get(stream.id()), "DEADLINE_EXCEEDED on " + stream);
        String message = attacker.grpcMessageByStream.get(stream.id());
        assertTrue(
            message.contains("--grpc-message-receive-timeout-secs"), "names the limit: " + message);
      }
      // The rest of a message the server gave up on is refused, not buffered.
      for (Http2FrameStream stream : streams) {
        attacker.data(stream, part, false);
      }
      attacker.flush();
      legitimateCallerIsServed(server);
    }
  }

  @Test
  void shouldRefuseACallThatStartsWaitingWhileAnEarlierOneIsTimed() throws Exception {
    TestServer server =
        start(GrpcLimits.builder().messageReceiveTimeout(Duration.ofSeconds(1)).build());
    try (RawHttp2Connection client =
        new RawHttp2Connection(TestServer.HOST, server.port(), 65535)) {
      // A complete call first, on the same connection (so the same event loop): its limit is
      // timed, and it ends long before that time comes.
      Http2FrameStream complete = client.newStream();
      client.headers(complete, SERVER_LIVE, false);
      client.data(complete, RawHttp2Connection.grpcFrame(new byte[0]), true);
      client.flush();
      Thread.sleep(500);
      // Then a call whose message never comes: its limit passes after the first one's would.
      Http2FrameStream stuck = client.newStream();
      client.headers(stuck, MODEL_INFER, false);
      client.flush();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (client.grpcStatusByStream.get(stuck.id()) == null && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals("0", client.grpcStatusByStream.get(complete.id()), "the complete call");
      assertEquals("4", client.grpcStatusByStream.get(stuck.id()), "DEADLINE_EXCEEDED, stuck call");
    }
  }

  @Test
  void shouldRefuseConnectionsBeyondTheLimitAndFreeTheirSlots() throws Exception {
    TestServer server = start(GrpcLimits.builder().maxConnections(4).build());
    legitimateCallerIsServed(server); // its connection closes again
    List<RawHttp2Connection> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(new RawHttp2Connection(TestServer.HOST, server.port(), 65535));
      }
      Thread.sleep(200);
      for (RawHttp2Connection connection : held) {
        assertTrue(connection.isOpen(), "connections within the limit stay open");
      }
      try (RawHttp2Connection extra =
          new RawHttp2Connection(TestServer.HOST, server.port(), 65535)) {
        assertTrue(extra.closed.await(2, TimeUnit.SECONDS), "a fifth connection is closed");
      }
      held.remove(0).close();
      Thread.sleep(200);
      legitimateCallerIsServed(server);
    } finally {
      for (RawHttp2Connection connection : held) {
        connection.close();
      }
    }
  }

  @Test
  void shouldSendGoAwayToAnIdleConnection() throws Exception {
    TestServer server =
        start(GrpcLimits.builder().maxConnectionIdle(Duration.ofMillis(500)).build());
    try (RawHttp2Connection idle = new RawHttp2Connection(TestServer.HOST, server.port(), 65535)) {
      assertTrue(idle.goAway.await(5, TimeUnit.SECONDS), "GOAWAY after 500 ms idle");
    }
    legitimateCallerIsServed(server);
  }

  @Test
  void shouldRefuseLimitsOutOfRangeNamingThem() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> GrpcLimits.builder().maxConcurrentCallsPerConnection(0).build());
    assertTrue(e.getMessage().contains("maxConcurrentCallsPerConnection"), e.getMessage());
    assertFalse(GrpcLimits.defaults().defaultDeadline().isZero());
  }
}
