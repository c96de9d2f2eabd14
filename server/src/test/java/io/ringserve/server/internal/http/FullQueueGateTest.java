package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.ringserve.server.internal.grpc.RequestParsing;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request the route refuses from its head has its body dropped as it arrives and becomes one
 * early answer once the body has all arrived; every other message passes through untouched, in
 * order.
 */
class FullQueueGateTest {
  private static final int MAX_BODY = 1 << 20;
  private static final Status FULL =
      Status.UNAVAILABLE.withDescription("Exceeds maximum queue size");

  private final AtomicInteger looks = new AtomicInteger();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new FullQueueGate(
              head -> {
                looks.incrementAndGet();
                return head.uri().contains("/full/")
                    ? new RequestParsing.Early(FULL, () -> {})
                    : null;
              },
              MAX_BODY));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /**
   * A head announcing a body of 20,000 bytes (the chunks below carry fewer: only the gate reads).
   */
  private static HttpRequest post(String uri) {
    return post(uri, 20_000);
  }

  private static HttpRequest post(String uri, long length) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    return head;
  }

  private static HttpContent chunk(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text.getBytes()));
  }

  private static LastHttpContent last(String text) {
    return new DefaultLastHttpContent(Unpooled.copiedBuffer(text.getBytes()));
  }

  @Test
  void shouldDropARefusedRequestsBodyAndAnswerOnceItHasAllArrived() {
    HttpContent first = chunk("abc");
    channel.writeInbound(post("/v2/models/full/infer"), first);
    assertNull(channel.readInbound(), "answered while its body was still arriving");
    assertEquals(0, first.refCnt(), "dropped chunks are released");

    LastHttpContent end = last("def");
    channel.writeInbound(end);
    RestHandler.EarlyAnswer early =
        assertInstanceOf(RestHandler.EarlyAnswer.class, channel.readInbound());
    assertSame(FULL, early.status());
    assertEquals(true, early.keepAlive());
    assertEquals(0, end.refCnt());
    assertNull(channel.readInbound(), "one answer, nothing of the body");
  }

  @Test
  void shouldNotAskAboutBodiesTooSmallToGainOrTooLargeToServe() {
    HttpRequest small = post("/v2/models/full/infer", FullQueueGate.MIN_BYTES - 1);
    HttpRequest oversized = post("/v2/models/full/infer", MAX_BODY + 1L);
    channel.writeInbound(small, oversized);
    assertSame(small, channel.readInbound());
    assertSame(oversized, channel.readInbound(), "refused for its size, as before");
    assertEquals(0, looks.get());
  }

  @Test
  void shouldPassTheNextRequestOnAfterADroppedBody() {
    channel.writeInbound(post("/v2/models/full/infer"), chunk("abc"), last("def"));
    channel.readInbound();
    HttpRequest next = post("/v2/models/room/infer");
    LastHttpContent body = last("ghijkl");
    channel.writeInbound(next, body);

    assertSame(next, channel.readInbound());
    assertSame(body, channel.readInbound());
    assertEquals(2, looks.get());
  }

  @Test
  void shouldKeepNoConnectionTheClientAskedToClose() {
    HttpRequest head = post("/v2/models/full/infer");
    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channel.writeInbound(head, last("abcdef"));
    RestHandler.EarlyAnswer early =
        assertInstanceOf(RestHandler.EarlyAnswer.class, channel.readInbound());
    assertFalse(early.keepAlive());
  }

  @Test
  void shouldNotLookAtAHeadThatFailedToDecode() {
    HttpRequest broken = post("/v2/models/full/infer");
    broken.setDecoderResult(
        io.netty.handler.codec.DecoderResult.failure(new IllegalStateException()));
    channel.writeInbound(broken);
    assertSame(broken, channel.readInbound());
    assertEquals(0, looks.get());
  }
}
