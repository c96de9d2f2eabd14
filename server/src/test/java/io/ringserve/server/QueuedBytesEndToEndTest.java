package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ServerLiveRequest;
import io.grpc.Status;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 4 of the reliability issue, bounded: the queue is bounded by the bytes of its tensors,
 * not only by its count of slots. Behind a batch that does not finish, requests are accepted until
 * the model's byte limit and then refused UNAVAILABLE at once naming the flag; the server stays
 * live, every accepted request is answered once the model moves, and their bytes are given back.
 */
class QueuedBytesEndToEndTest {
  private static final int ROWS = 8; // GatedBackend: INT32 [-1, 4], max_batch_size 8
  private static final int REQUEST_BYTES = ROWS * 4 * 4;
  private static final int ACCEPTED = 8;

  @Test
  void shouldRefuseRequestsBeyondTheModelsQueuedBytesAtOnce(@TempDir Path repository)
      throws Exception {
    Path model = repository.resolve("gated");
    Files.createDirectories(model.resolve("1").resolve("model.gated"));
    Files.writeString(model.resolve("config.pbtxt"), GatedBackend.config("gated", ""));
    GatedBackend backend = new GatedBackend();
    RingServeServer.Config config =
        TestServers.config(repository)
            .backends(List.of(backend))
            .queuedBytesLimits(new QueuedBytesLimits(1 << 20, ACCEPTED * REQUEST_BYTES))
            .build();
    try (TestServer server = TestServers.start(config)) {
      var async = GRPCInferenceServiceGrpc.newFutureStub(server.channel());
      List<ListenableFuture<ModelInferResponse>> accepted = new ArrayList<>();
      accepted.add(async.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request(0)));
      assertTrue(backend.runStarted.await(10, TimeUnit.SECONDS), "the first batch never started");
      for (int i = 1; i < ACCEPTED; i++) {
        accepted.add(async.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request(i)));
      }
      // The accepted calls went first on the same connection, so they are queued: this one does
      // not fit.
      Status refused = Status.OK;
      long started = System.nanoTime();
      try {
        server.stub().withDeadlineAfter(2, TimeUnit.SECONDS).modelInfer(request(100));
      } catch (io.grpc.StatusRuntimeException e) {
        refused = e.getStatus();
      }
      long refusalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(Status.Code.UNAVAILABLE, refused.getCode(), refused.toString());
      assertTrue(
          refused
              .getDescription()
              .contains(ACCEPTED * REQUEST_BYTES + " bytes (--max-queued-input-bytes-per-model)"),
          refused.toString());
      assertTrue(refusalMillis < 2000, "refused at once, took " + refusalMillis + " ms");
      assertTrue(
          server
              .stub()
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .serverLive(ServerLiveRequest.getDefaultInstance())
              .getLive());

      backend.gate.release(1000);
      for (ListenableFuture<ModelInferResponse> call : accepted) {
        assertEquals(1, answered(call).getRawOutputContentsCount());
      }
      // Their bytes were given back: a full queue's worth is accepted again.
      for (int i = 0; i < ACCEPTED; i++) {
        assertEquals(
            1,
            server
                .stub()
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .modelInfer(request(200 + i))
                .getRawOutputContentsCount());
      }
    }
  }

  private static ModelInferResponse answered(ListenableFuture<ModelInferResponse> call)
      throws Exception {
    try {
      return call.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("an accepted request failed: " + e.getCause(), e.getCause());
    }
  }

  private static ModelInferRequest request(int value) {
    int[] values = new int[ROWS * 4];
    java.util.Arrays.fill(values, value);
    return ModelInferRequest.newBuilder()
        .setModelName("gated")
        .addInputs(input("INPUT0", "INT32", ROWS, 4))
        .addRawInputContents(int32s(values))
        .build();
  }
}
