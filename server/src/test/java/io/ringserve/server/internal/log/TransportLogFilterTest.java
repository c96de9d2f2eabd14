package io.ringserve.server.internal.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class TransportLogFilterTest {

  @Test
  void shouldShortenWhatAClientCausedToOneLine() {
    LogRecord record = new LogRecord(Level.WARNING, "Stream Error");
    record.setThrown(new RuntimeException("wrapped", new IOException("Connection reset by peer")));

    assertTrue(new TransportLogFilter().isLoggable(record));

    assertNull(record.getThrown());
    assertTrue(record.getMessage().endsWith("Connection reset by peer"), record.getMessage());
  }

  @Test
  void shouldKeepTheStackTraceOfABugOfOurs() {
    LogRecord record = new LogRecord(Level.SEVERE, "Exception while executing runnable");
    NullPointerException bug = new NullPointerException("handler bug");
    record.setThrown(bug);

    assertTrue(new TransportLogFilter().isLoggable(record));

    assertNotNull(record.getThrown());
  }

  @Test
  void shouldFilterTheLoggersAClientCanReachTheChildLoggerOfTransportFailuresIncluded() {
    TransportLogFilter.install();

    for (String name :
        new String[] {
          // "Transport failed" (oversized metadata, direct memory) is logged by this child logger,
          // which has no filter of its parent's.
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
          // The REST port's failed accepts ("Too many open files").
          "io.netty.channel.DefaultChannelPipeline"
        }) {
      assertTrue(
          java.util.logging.Logger.getLogger(name).getFilter() instanceof TransportLogFilter, name);
    }
  }

  @Test
  void shouldTreatStatusesAndResetsAsClientCaused() {
    assertTrue(TransportLogFilter.causedByClient(Status.CANCELLED.asRuntimeException()));
    assertTrue(TransportLogFilter.causedByClient(new IllegalStateException(new IOException())));
    assertFalse(TransportLogFilter.causedByClient(new IllegalStateException("ours")));
  }
}
