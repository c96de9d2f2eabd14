package io.ringserve.server.internal.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Refuses a request framed by a transfer coding other than {@code chunked} (say {@code xchunked} or
 * {@code gzip} beside a {@code Content-Length}): its body's end is then unknown, and a proxy in
 * front may frame it otherwise than this server (request smuggling). Answered 501 through {@link
 * RestHandler} in request order, and the rest of the connection's input dropped. Placed right after
 * the HTTP codec, before anything (the decompressor included) reads or rewrites the header. Per
 * connection, on its event loop.
 */
final class TransferCodings extends ChannelInboundHandlerAdapter {
  private boolean refused;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest head && !chunkedOrNone(head)) {
      refused = true;
      String codings = String.join(", ", head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
      ReferenceCountUtil.release(msg);
      ctx.fireChannelRead(
          new RestHandler.Refusal(
              HttpResponseStatus.NOT_IMPLEMENTED,
              "Transfer-Encoding '" + codings + "' is not supported; only 'chunked' is"));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  static boolean chunkedOrNone(HttpRequest head) {
    List<String> codings = head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    return codings.isEmpty()
        || (codings.size() == 1 && codings.get(0).trim().equalsIgnoreCase("chunked"));
  }
}
