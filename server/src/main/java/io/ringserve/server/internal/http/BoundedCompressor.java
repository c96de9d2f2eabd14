package io.ringserve.server.internal.http;

import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Compresses answers as the client's {@code Accept-Encoding} asks, up to {@link #MAX_BYTES}: a
 * larger answer goes out as it is (an accepted encoding is a preference, not a demand). The JDK's
 * deflater reads heap arrays, so compressing an answer of tens of megabytes took a heap copy of it
 * and a compressed one beside it, per answer in flight: a few clients echoing large tensors could
 * fill the heap that way. Per connection, on its event loop.
 */
final class BoundedCompressor extends HttpContentCompressor {
  /** Largest answer compressed: far above JSON answers of ordinary tensors. */
  static final long MAX_BYTES = 8L << 20;

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    long length = HttpUtil.getContentLength(response, -1L);
    if (length > MAX_BYTES) {
      return null;
    }
    return super.beginEncode(response, acceptEncoding);
  }
}
