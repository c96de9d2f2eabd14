package io.ringserve.loadtest;

import io.ringserve.server.RingServeServer;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real RingServe on 127.0.0.1 (random port) serving the example models, shared by every test
 * class that asks for a {@link Target} parameter, and closed when the test run ends. Starting a
 * server loads TensorFlow and three models (seconds), so it is done once.
 */
public final class RingServeFixture implements ParameterResolver {
  private static final Namespace NAMESPACE = Namespace.create(RingServeFixture.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Target.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    Running running =
        e.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("server", k -> start(), Running.class);
    return Target.of("127.0.0.1", running.server.port());
  }

  private static Running start() {
    try {
      Path repo = Files.createTempDirectory("ringserve-loadtest-models");
      ExampleModels.writeTo(repo);
      RingServeServer server =
          RingServeServer.start(
              new RingServeServer.Config(
                  "127.0.0.1",
                  0,
                  repo,
                  Backends.all(),
                  new BackendOptions(0, 0),
                  64 << 20,
                  true,
                  Duration.ofSeconds(5)));
      return new Running(server, repo);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server and its model folder, removed together at the end of the run. */
  private record Running(RingServeServer server, Path repo) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      server.close();
      try (Stream<Path> files = Files.walk(repo)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}
