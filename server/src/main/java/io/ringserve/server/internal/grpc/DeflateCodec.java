package io.ringserve.server.internal.grpc;

import io.grpc.Codec;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The gRPC {@code deflate} message encoding (zlib format), which grpc-java does not register by
 * default but Triton's clients offer ({@code simple_grpc_infer_client.py -C deflate}). Stateless;
 * each stream gets its own zlib state.
 */
public final class DeflateCodec implements Codec {
  @Override
  public String getMessageEncoding() {
    return "deflate";
  }

  @Override
  public OutputStream compress(OutputStream os) {
    return new DeflaterOutputStream(os);
  }

  @Override
  public InputStream decompress(InputStream is) {
    return new InflaterInputStream(is);
  }
}
