package io.ringserve.server.testing;

import io.ringserve.server.RingServeServer;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts real RingServe servers on 127.0.0.1 for tests, in one line:
 *
 * <pre>{@code
 * TestServer shared = TestServers.shared();                   // the examples, one per JVM
 * try (TestServer server = TestServers.loopback(repository)) { ... }  // a fresh one, yours to close
 * }</pre>
 *
 * <p>Every server of a JVM runs with the server's default engine options, and the same {@link
 * #pools() TensorFlow pool setting} that generated the example models: TensorFlow keeps one pool
 * per process. Starting a server loads its models (seconds for the examples), which is why tests
 * share {@link #shared()} where they can.
 *
 * <p>Thread-safe.
 */
public final class TestServers {
  /** The inbound message limit of test servers, small enough to test cheaply. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private static final BackendOptions ENGINES = BackendOptions.serverDefaults();
  private static final ProcessThreadPools POOLS = new ProcessThreadPools(ENGINES);

  // @GuardedBy("TestServers.class"): null until first asked for, then open until the JVM exits.
  private static TestServer shared;

  private TestServers() {}

  /** The TensorFlow pool setting of this test JVM, for tests that load models themselves. */
  public static ProcessThreadPools pools() {
    return POOLS;
  }

  /**
   * A server configuration for tests: 127.0.0.1, ephemeral gRPC and HTTP ports, {@link
   * #MAX_MESSAGE_BYTES} (for HTTP bodies too), a 5 s shutdown grace, and the JVM's engine options;
   * change what a test needs before building.
   */
  public static RingServeServer.Config.Builder config(Path repository) {
    return RingServeServer.Config.builder()
        .host(TestServer.HOST)
        .port(0)
        .httpPort(0)
        .modelRepository(repository)
        .backendOptions(ENGINES)
        .backends(Backends.all(POOLS))
        .maxMessageBytes(MAX_MESSAGE_BYTES)
        .httpMaxInputBytes(MAX_MESSAGE_BYTES)
        .shutdownGrace(Duration.ofSeconds(5));
  }

  /** Starts a server as {@code config} says; the caller closes it. */
  public static TestServer start(RingServeServer.Config config) throws IOException {
    return new TestServer(RingServeServer.start(config));
  }

  /** A fresh server over {@code repository}; the caller closes it. */
  public static TestServer loopback(Path repository) throws IOException {
    return start(config(repository).build());
  }

  /** A fresh server whose repository is matched against {@code backends} (test fakes included). */
  public static TestServer loopback(Path repository, List<Backend> backends) throws IOException {
    return start(config(repository).backends(backends).build());
  }

  /**
   * The server over {@link ExampleRepository#path()} that the test classes of a JVM share, started
   * on first use and closed when the JVM exits. Tests must not close it.
   */
  public static synchronized TestServer shared() {
    if (shared == null) {
      try {
        shared = loopback(ExampleRepository.path());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TestServer server = shared;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.close();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  },
                  "ringserve-shared-test-server"));
    }
    return shared;
  }
}
