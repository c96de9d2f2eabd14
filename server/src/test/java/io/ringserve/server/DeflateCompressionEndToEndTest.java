package io.ringserve.server;

import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import inference.GRPCInferenceServiceGrpc;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.server.internal.grpc.DeflateCodec;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What Triton's {@code simple_grpc_infer_client.py -C deflate} does: requests compressed with the
 * gRPC {@code deflate} encoding are decompressed and answered correctly.
 */
class DeflateCompressionEndToEndTest {
  @Test
  void shouldAnswerDeflateCompressedRequests() throws Exception {
    TestServer server = TestServers.shared();
    CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    compressors.register(new Codec.Gzip());
    compressors.register(new DeflateCodec());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(TestServer.HOST, server.port())
            .usePlaintext()
            .compressorRegistry(compressors)
            .build();
    try {
      for (String encoding : new String[] {"deflate", "gzip"}) {
        int[] sum =
            readInt32s(
                output(
                    GRPCInferenceServiceGrpc.newBlockingStub(channel)
                        .withCompression(encoding)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .modelInfer(simpleRequest().build()),
                    "OUTPUT0"));
        assertEquals(16, sum[15], encoding);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
