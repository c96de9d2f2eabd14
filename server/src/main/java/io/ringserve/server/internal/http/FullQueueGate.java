package io.ringserve.server.internal.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.ringserve.server.internal.grpc.RequestParsing;
import java.util.Objects;
import java.util.function.Function;

/**
 * Refuses a large inference request to a model whose queue is full from its head, before its body
 * is decompressed, gathered and parsed: under overload most requests are refused, and for large
 * tensors reading one costs far more than answering it, on the event loop that must keep up with
 * every connection. The body is then read off the connection and dropped, so that the connection
 * stays in step for the client's next request, and the refusal ({@link RestHandler.EarlyAnswer}) is
 * answered in its turn among the connection's requests, with the status and message a full queue
 * always gets.
 *
 * <p>Which requests are looked at, and the answer, is the route's decision ({@link
 * RestApi#fullQueueRefusal}); every other message passes through untouched. Confined to the
 * channel's event loop.
 */
final class FullQueueGate extends ChannelInboundHandlerAdapter {
  private final Function<HttpRequest, RequestParsing.Early> refusal;

  /** True while the body of a refused request is still arriving. */
  private boolean discarding;

  FullQueueGate(Function<HttpRequest, RequestParsing.Early> refusal) {
    this.refusal = Objects.requireNonNull(refusal, "refusal");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding && msg instanceof HttpContent content) {
      discarding = !(content instanceof LastHttpContent);
      content.release();
      return;
    }
    if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
      RequestParsing.Early early = refusal.apply(head);
      if (early != null) {
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        ctx.fireChannelRead(
            new RestHandler.EarlyAnswer(
                early.status(), HttpUtil.isKeepAlive(head), early.answered()));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
