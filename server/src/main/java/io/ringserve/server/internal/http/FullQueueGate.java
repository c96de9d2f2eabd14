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
 * Refuses a large inference request to a model whose queue is full from its head, so that its body
 * is never decompressed, gathered or parsed: under overload most requests are refused, and for
 * large tensors reading one costs far more than answering it, on the event loop that must keep up
 * with every connection. The body is read off the connection and dropped as it arrives; once it has
 * all arrived the refusal ({@link RestHandler.EarlyAnswer}) is handed on, to be answered in its
 * turn among the connection's requests with the status and message a full queue always gets.
 * Answering only then keeps the connection where it would be after a request read whole: a close
 * after the answer finds no unread body (which would reset the connection and lose the answer), and
 * the connection pauses its reading, behind a request in flight, between requests rather than in
 * the middle of one.
 *
 * <p>Only bodies announced by a {@code Content-Length} of at least {@link #MIN_BYTES} and at most
 * the body limit are looked at (a larger one is refused for its size, as before); which of those
 * are refused, and the answer, is the route's decision ({@link RestApi#fullQueueRefusal}). Every
 * other message passes through untouched. Confined to the channel's event loop.
 */
final class FullQueueGate extends ChannelInboundHandlerAdapter {
  /** Smaller bodies are read without a look: the look would cost about what it saves. */
  static final int MIN_BYTES = 16 * 1024;

  private final Function<HttpRequest, RequestParsing.Early> refusal;
  private final long maxBodyBytes;

  /** The refusal of the request whose body is being dropped, or null. */
  private RequestParsing.Early refused;

  private boolean keepAlive;

  FullQueueGate(Function<HttpRequest, RequestParsing.Early> refusal, long maxBodyBytes) {
    this.refusal = Objects.requireNonNull(refusal, "refusal");
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused != null && msg instanceof HttpContent content) {
      content.release();
      if (content instanceof LastHttpContent) {
        answer(ctx);
      }
      return;
    }
    if (msg instanceof HttpRequest head && head.decoderResult().isSuccess() && looksAt(head)) {
      RequestParsing.Early early = refusal.apply(head);
      if (early != null) {
        refused = early;
        keepAlive = HttpUtil.isKeepAlive(head);
        ReferenceCountUtil.release(msg);
        if (msg instanceof LastHttpContent) {
          answer(ctx);
        }
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private boolean looksAt(HttpRequest head) {
    long length;
    try {
      length = HttpUtil.getContentLength(head, -1L);
    } catch (NumberFormatException badLength) {
      return false; // the usual path refuses it
    }
    return length >= MIN_BYTES && length <= maxBodyBytes;
  }

  private void answer(ChannelHandlerContext ctx) {
    RequestParsing.Early early = refused;
    refused = null;
    ctx.fireChannelRead(new RestHandler.EarlyAnswer(early.status(), keepAlive, early.answered()));
  }
}
