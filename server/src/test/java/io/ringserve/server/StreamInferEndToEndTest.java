package io.ringserve.server;

import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelStreamInferResponse;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ModelStreamInfer: pipelined requests on one stream, each answered once with its id. */
class StreamInferEndToEndTest {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
  }

  @Test
  void shouldAnswerEveryPipelinedRequestOnceWithItsIdAndKeepGoingPastABadOne() throws Exception {
    int count = 10_000;
    int bad = 5_000;
    Map<String, ModelStreamInferResponse> answers = new ConcurrentHashMap<>();
    AtomicReference<String> duplicate = new AtomicReference<>();
    AtomicReference<Throwable> streamError = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1);
    StreamObserver<ModelInferRequest> requests =
        GRPCInferenceServiceGrpc.newStub(server.channel())
            .withDeadlineAfter(120, TimeUnit.SECONDS)
            .modelStreamInfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ModelStreamInferResponse response) {
                    String id = response.getInferResponse().getId();
                    if (answers.putIfAbsent(id, response) != null) {
                      duplicate.set(id);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    streamError.set(t);
                    finished.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    finished.countDown();
                  }
                });
    for (int i = 0; i < count; i++) {
      ModelInferRequest.Builder request = simpleRequest().setId("req-" + i);
      if (i == bad) {
        request.setModelName("nope");
      }
      requests.onNext(request.build());
    }
    requests.onCompleted();
    assertTrue(finished.await(120, TimeUnit.SECONDS), "stream did not finish");
    assertEquals(null, streamError.get());
    assertEquals(null, duplicate.get(), "answered twice");
    assertEquals(count, answers.size());
    for (int i = 0; i < count; i++) {
      ModelStreamInferResponse answer = answers.get("req-" + i);
      if (i == bad) {
        assertTrue(
            answer.getErrorMessage().contains("Request for unknown model: 'nope'"),
            answer.getErrorMessage());
      } else {
        assertEquals("", answer.getErrorMessage(), "req-" + i);
        assertEquals(16, readInt32s(output(answer.getInferResponse(), "OUTPUT0"))[15]);
      }
    }
  }
}
