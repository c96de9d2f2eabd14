package io.ringserve.server;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameStream;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare HTTP/2 client for attack tests: it writes the frames a test asks for and nothing more (no
 * flow-control updates unless the window allows, no stream limit of its own beyond Netty's), and
 * records what the server answers: response headers, trailers with their {@code grpc-status},
 * resets, GOAWAY, and whether the connection closed.
 *
 * <p>Thread-safe: writes go through the channel; the counters are atomic.
 */
final class RawHttp2Connection implements AutoCloseable {
  private final NioEventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel channel;
  private final Recorder recorder = new Recorder();
  private final String authority;

  final AtomicInteger responseHeaders = new AtomicInteger();
  final AtomicInteger resetsReceived = new AtomicInteger();
  final AtomicInteger dataFrames = new AtomicInteger();
  final Map<Integer, String> grpcStatusByStream = new ConcurrentHashMap<>();
  final Map<Integer, String> grpcMessageByStream = new ConcurrentHashMap<>();
  final CountDownLatch goAway = new CountDownLatch(1);
  final CountDownLatch closed = new CountDownLatch(1);

  /**
   * Connects with the given initial stream window (0: the server may send no DATA until the client
   * says so, which this client never does).
   */
  RawHttp2Connection(String host, int port, int initialWindowSize) throws InterruptedException {
    this.authority = host + ":" + port;
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient()
                                .initialSettings(
                                    Http2Settings.defaultSettings()
                                        .initialWindowSize(initialWindowSize))
                                .autoAckSettingsFrame(true)
                                .build(),
                            recorder);
                  }
                });
    this.channel = bootstrap.connect(host, port).sync().channel();
    channel.closeFuture().addListener(f -> closed.countDown());
  }

  /** Whether the server has closed the connection. */
  boolean isOpen() {
    return channel.isActive();
  }

  /** A new stream; it gets its id when its headers are written. */
  Http2FrameStream newStream() {
    return recorder.newStream();
  }

  /** Writes a gRPC call's request headers for {@code method} ("package.Service/Method"). */
  void headers(Http2FrameStream stream, String method, boolean endStream) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .path("/" + method)
            .authority(authority)
            .add("content-type", "application/grpc")
            .add("te", "trailers");
    channel.write(new DefaultHttp2HeadersFrame(headers, endStream).stream(stream));
  }

  /** Writes {@code bytes} as one DATA frame on {@code stream}. */
  void data(Http2FrameStream stream, byte[] bytes, boolean endStream) {
    channel.write(
        new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), endStream).stream(stream));
  }

  /** Cancels {@code stream} with RST_STREAM(CANCEL). */
  void reset(Http2FrameStream stream) {
    channel.write(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
  }

  /** Sends what was written. */
  void flush() {
    channel.flush();
  }

  /** A gRPC message frame: the 5-byte prefix (not compressed, length) and {@code message}. */
  static byte[] grpcFrame(byte[] message) {
    return grpcPrefix(message.length, message);
  }

  /** A prefix declaring {@code declaredLength} bytes, followed by only {@code sent}. */
  static byte[] grpcPrefix(int declaredLength, byte[] sent) {
    byte[] frame = new byte[5 + sent.length];
    frame[1] = (byte) (declaredLength >>> 24);
    frame[2] = (byte) (declaredLength >>> 16);
    frame[3] = (byte) (declaredLength >>> 8);
    frame[4] = (byte) declaredLength;
    System.arraycopy(sent, 0, frame, 5, sent.length);
    return frame;
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().await(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  /** Counts what the server sends; frees every frame. */
  private final class Recorder extends Http2ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers) {
          CharSequence status = headers.headers().get("grpc-status");
          int id = headers.stream().id();
          if (status != null) {
            grpcStatusByStream.put(id, status.toString());
            CharSequence message = headers.headers().get("grpc-message");
            if (message != null) {
              grpcMessageByStream.put(id, message.toString());
            }
          }
          if (headers.headers().status() != null) {
            responseHeaders.incrementAndGet();
          }
        } else if (msg instanceof Http2DataFrame) {
          dataFrames.incrementAndGet();
        } else if (msg instanceof Http2ResetFrame) {
          resetsReceived.incrementAndGet();
        } else if (msg instanceof Http2GoAwayFrame) {
          goAway.countDown();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Refused streams and connection errors are what the attacks expect; the counters tell.
    }
  }
}
