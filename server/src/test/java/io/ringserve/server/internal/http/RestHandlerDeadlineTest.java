package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The REST default deadline on one connection, on a fake clock: a request its route has not
 * answered in time is answered 503 naming the flag, marked cancelled, and its late answer dropped;
 * pipelined requests are answered in order, each deadline counted from its arrival.
 */
class RestHandlerDeadlineTest {
  private static final Duration DEADLINE = Duration.ofSeconds(1);

  /** A request the routes were given, for the test to answer when it likes. */
  private record Routed(String uri, BooleanSupplier cancelled, Consumer<FullHttpResponse> reply) {}

  private final List<Routed> routed = new ArrayList<>();
  private final MockTicker clock = Ticker.newMockTicker();
  private EmbeddedChannel channel;

  private EmbeddedChannel connection(Duration deadline) {
    RestHandler.Routes routes =
        (request, alloc, cancelled, reply) ->
            routed.add(new Routed(request.uri(), cancelled, reply));
    channel =
        EmbeddedChannel.builder().ticker(clock).handlers(new RestHandler(routes, deadline)).build();
    return channel;
  }

  @AfterEach
  void closeChannel() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private static FullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private void advance(long millis) {
    clock.advance(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  /** The next answer written, its body read and its buffer released. */
  private String nextAnswer(HttpResponseStatus expected) {
    FullHttpResponse response = channel.readOutbound();
    try {
      String body = response.content().toString(StandardCharsets.UTF_8);
      assertEquals(expected, response.status(), body);
      return body;
    } finally {
      response.release();
    }
  }

  @Test
  void shouldAnswer503NamingTheFlagAtTheDeadlineAndDropTheLateAnswer() {
    connection(DEADLINE).writeInbound(get("/hangs"));
    Routed hung = routed.get(0);
    advance(999);
    assertNull(channel.readOutbound(), "answered before its deadline");
    assertFalse(hung.cancelled().getAsBoolean());

    advance(1);
    String error = nextAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertTrue(error.startsWith("{\"error\":"), error);
    assertTrue(error.contains("1 s (--http-default-deadline-secs)"), error);
    assertTrue(hung.cancelled().getAsBoolean(), "a queued request is skipped once answered");

    FullHttpResponse late = TestResponses.ok("late");
    hung.reply().accept(late);
    assertNull(channel.readOutbound(), "the late answer must not reach the connection");
    assertEquals(0, late.refCnt(), "the late answer is released");
    assertTrue(channel.isActive(), "the connection stays open for the next request");
  }

  @Test
  void shouldLeaveARequestAnsweredInTimeAlone() {
    connection(DEADLINE).writeInbound(get("/fast"));
    routed.get(0).reply().accept(TestResponses.ok("done"));
    assertEquals("done", nextAnswer(HttpResponseStatus.OK));

    advance(5_000);
    assertNull(channel.readOutbound(), "the deadline of an answered request must not fire");
    assertFalse(routed.get(0).cancelled().getAsBoolean());
  }

  @Test
  void shouldServeAPipelinedRequestAfterTheOneAheadExpiredAndKeepTheirOrder() {
    connection(DEADLINE).writeInbound(get("/hangs"));
    advance(500);
    channel.writeInbound(get("/next"));
    assertEquals(1, routed.size(), "one request at a time on a connection");

    advance(500);
    nextAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertEquals(2, routed.size(), "the next request is served once the first is answered");
    Routed next = routed.get(1);
    assertEquals("/next", next.uri());
    assertFalse(next.cancelled().getAsBoolean(), "its own deadline, from its arrival, is ahead");
    next.reply().accept(TestResponses.ok("next"));
    assertEquals("next", nextAnswer(HttpResponseStatus.OK));

    // The first one's model returns at last: nothing more is written.
    routed.get(0).reply().accept(TestResponses.ok("late"));
    assertNull(channel.readOutbound());
  }

  @Test
  void shouldAnswerAtOnceARequestThatWaitedItsDeadlineOutBehindAnother() {
    connection(DEADLINE).writeInbound(get("/hangs"));
    channel.writeInbound(get("/also-waiting"));
    advance(1_000);
    nextAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE);
    String second = nextAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertTrue(second.contains("--http-default-deadline-secs"), second);
    assertEquals(1, routed.size(), "a request already past its deadline is never routed");
  }

  @Test
  void shouldNeverEndARequestWhenTheDeadlineIsZero() {
    connection(Duration.ZERO).writeInbound(get("/slow"));
    advance(TimeUnit.HOURS.toMillis(1));
    assertNull(channel.readOutbound());
    assertFalse(routed.get(0).cancelled().getAsBoolean());
    routed.get(0).reply().accept(TestResponses.ok("at last"));
    assertEquals("at last", nextAnswer(HttpResponseStatus.OK));
  }

  @Test
  void shouldLetExactlyOneOfARouteAndTheDeadlineClaimTheAnswer() throws Exception {
    int rounds = 2_000;
    AtomicInteger routeWins = new AtomicInteger();
    AtomicInteger deadlineWins = new AtomicInteger();
    for (int i = 0; i < rounds; i++) {
      RequestAnswer answer = new RequestAnswer();
      CyclicBarrier start = new CyclicBarrier(2);
      Thread route =
          new Thread(
              () -> {
                await(start);
                if (answer.claimForRoute()) {
                  routeWins.incrementAndGet();
                }
              });
      route.start();
      await(start);
      boolean deadlineWon = answer.claimForDeadline();
      if (deadlineWon) {
        deadlineWins.incrementAndGet();
      }
      route.join(5_000);
      assertEquals(deadlineWon, answer.expired(), "expired exactly when the deadline won");
    }
    assertEquals(rounds, routeWins.get() + deadlineWins.get(), "one answer per request");
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
