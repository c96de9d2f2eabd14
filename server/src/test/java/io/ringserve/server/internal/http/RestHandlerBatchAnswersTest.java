package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.ringserve.batching.BatchAnswers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A REST answer a worker gives inside a batch is handed to the connection's event loop with the
 * batch's other answers, once the batch is answered, rather than written (and the loop woken) at
 * once; an answer outside a batch is written at once.
 */
class RestHandlerBatchAnswersTest {
  private final List<Consumer<FullHttpResponse>> replies = new ArrayList<>();
  private EmbeddedChannel channel;

  @AfterEach
  void closeChannel() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private final MockTicker clock = Ticker.newMockTicker();

  private void connect() {
    connect(Duration.ZERO);
  }

  private void connect(Duration deadline) {
    RestHandler.Routes routes = (request, alloc, cancelled, reply) -> replies.add(reply);
    channel =
        EmbeddedChannel.builder().ticker(clock).handlers(new RestHandler(routes, deadline)).build();
    channel.writeInbound(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer"));
  }

  private String nextAnswer() {
    FullHttpResponse response = channel.readOutbound();
    try {
      return response.content().toString(StandardCharsets.UTF_8);
    } finally {
      response.release();
    }
  }

  @Test
  void shouldWriteAnAnswerGivenInsideABatchOnTheLoopOnceTheBatchIsAnswered() {
    connect();
    try (BatchAnswers answering = BatchAnswers.open()) {
      replies.get(0).accept(TestResponses.ok("batched"));
      channel.runPendingTasks();
      assertNull(channel.readOutbound(), "written before the batch was answered");
    }
    assertNull(channel.readOutbound(), "written by the worker rather than the loop");
    channel.runPendingTasks();
    assertEquals("batched", nextAnswer());
  }

  @Test
  void shouldWriteTheRoutesAnswerNotTheDeadlinesWhenTheDeadlinePassesBeforeTheBatchEnds() {
    connect(Duration.ofSeconds(1));
    try (BatchAnswers answering = BatchAnswers.open()) {
      replies.get(0).accept(TestResponses.ok("batched"));
      clock.advance(2, TimeUnit.SECONDS);
      channel.runScheduledPendingTasks();
      assertNull(channel.readOutbound(), "the deadline answered a request its route had claimed");
    }
    channel.runPendingTasks();
    assertEquals("batched", nextAnswer());
    clock.advance(2, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertNull(channel.readOutbound(), "a second answer");
  }

  @Test
  void shouldReleaseAnAnswerWhoseConnectionClosedBeforeTheBatchEnded() {
    connect();
    FullHttpResponse response = TestResponses.ok("too late");
    try (BatchAnswers answering = BatchAnswers.open()) {
      replies.get(0).accept(response);
      channel.close();
    }
    channel.runPendingTasks();
    assertNull(channel.readOutbound());
    assertEquals(0, response.refCnt(), "the answer's buffer is released");
  }

  @Test
  void shouldRouteAPipelinedRequestOnlyOnceTheDeferredAnswerIsWritten() {
    connect();
    channel.writeInbound(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer"));
    assertEquals(1, replies.size(), "the second waits for the first's answer");
    try (BatchAnswers answering = BatchAnswers.open()) {
      replies.get(0).accept(TestResponses.ok("first"));
    }
    assertEquals(1, replies.size(), "routed before the first answer was written");
    channel.runPendingTasks();
    assertEquals("first", nextAnswer());
    assertEquals(2, replies.size());
    replies.get(1).accept(TestResponses.ok("second"));
    assertEquals("second", nextAnswer());
  }

  @Test
  void shouldWriteAnAnswerGivenOutsideABatchAtOnce() {
    connect();
    replies.get(0).accept(TestResponses.ok("alone"));
    assertEquals("alone", nextAnswer());
  }
}
