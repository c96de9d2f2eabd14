package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.ringserve.batching.BatchAnswers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private void connect() {
    RestHandler.Routes routes = (request, alloc, cancelled, reply) -> replies.add(reply);
    channel = new EmbeddedChannel(new RestHandler(routes, Duration.ZERO));
    channel.writeInbound(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer"));
  }

  private static FullHttpResponse ok(String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    return r;
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
      replies.get(0).accept(ok("batched"));
      channel.runPendingTasks();
      assertNull(channel.readOutbound(), "written before the batch was answered");
    }
    assertNull(channel.readOutbound(), "written by the worker rather than the loop");
    channel.runPendingTasks();
    assertEquals("batched", nextAnswer());
  }

  @Test
  void shouldWriteAnAnswerGivenOutsideABatchAtOnce() {
    connect();
    replies.get(0).accept(ok("alone"));
    assertEquals("alone", nextAnswer());
  }
}
