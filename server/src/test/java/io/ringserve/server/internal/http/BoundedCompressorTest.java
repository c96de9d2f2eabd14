package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

class BoundedCompressorTest {
  private static HttpResponse answer(EmbeddedChannel channel, int bytes) {
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer");
    request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
    channel.writeInbound(request);
    ReferenceCountUtil.release(channel.readInbound());
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[bytes]));
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes);
    channel.writeOutbound(response);
    HttpResponse head = channel.readOutbound();
    for (Object rest = channel.readOutbound(); rest != null; rest = channel.readOutbound()) {
      ReferenceCountUtil.release(rest);
    }
    return head;
  }

  @Test
  void shouldCompressOrdinaryAnswersAndSendLargeOnesAsTheyAre() {
    EmbeddedChannel channel = new EmbeddedChannel(new BoundedCompressor());

    HttpResponse small = answer(channel, 64 << 10);
    HttpResponse large = answer(channel, (int) BoundedCompressor.MAX_BYTES + 1);

    assertEquals("gzip", small.headers().get(HttpHeaderNames.CONTENT_ENCODING));
    assertFalse(large.headers().contains(HttpHeaderNames.CONTENT_ENCODING), large.toString());
    assertEquals(BoundedCompressor.MAX_BYTES + 1, HttpUtil.getContentLength(large, -1L));
    ReferenceCountUtil.release(small);
    ReferenceCountUtil.release(large);
    channel.finishAndReleaseAll();
  }
}
