package io.ringserve.client;

import io.ringserve.server.RingServeServer;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Real RingServe servers on 127.0.0.1 for the client's tests: the example repository (generated
 * once per JVM), a repository holding only {@code simple} (quick to load several times), and one
 * shared server over the examples, started on first use and closed when the JVM exits.
 */
public final class TestServers {
  private static Path examples;
  private static Path simpleOnly;
  private static RingServeServer shared;

  private TestServers() {}

  /** The example models: simple, simple_string, mlp. */
  public static synchronized Path examples() {
    if (examples == null) {
      try {
        examples = Files.createTempDirectory("ringserve-client-examples");
        ExampleModels.writeTo(examples);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return examples;
  }

  /** A repository with only the {@code simple} model. */
  public static synchronized Path simpleOnly() {
    if (simpleOnly == null) {
      try {
        simpleOnly = Files.createTempDirectory("ringserve-client-simple");
        copy(examples().resolve("simple"), simpleOnly.resolve("simple"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return simpleOnly;
  }

  /** A fresh server over {@code repository} on an ephemeral port; the caller closes it. */
  public static RingServeServer start(Path repository) throws IOException {
    return RingServeServer.start(
        new RingServeServer.Config(
            "127.0.0.1",
            0,
            repository,
            Backends.all(),
            new BackendOptions(0, 0),
            64 << 20,
            true,
            Duration.ofSeconds(5)));
  }

  /** The server over the example models that test classes share. */
  public static synchronized RingServeServer shared() {
    if (shared == null) {
      try {
        shared = start(examples());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RingServeServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    }
    return shared;
  }

  /** {@code host:port} of the shared server. */
  public static String sharedTarget() {
    return "127.0.0.1:" + shared().port();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
