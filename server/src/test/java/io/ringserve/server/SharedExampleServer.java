package io.ringserve.server;

import io.ringserve.server.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One server over the generated example repository, started on first use and shared by the
 * end-to-end test classes of this JVM (generating and loading the models costs seconds).
 */
public final class SharedExampleServer {
  private static ServerFixture fixture;
  private static Path repository;

  private SharedExampleServer() {}

  /** The example repository, generated once per JVM into a temporary folder. */
  public static synchronized Path repository() {
    if (repository == null) {
      try {
        repository = Files.createTempDirectory("ringserve-examples");
        ExampleModels.writeTo(repository);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return repository;
  }

  public static synchronized ServerFixture get() {
    if (fixture == null) {
      try {
        fixture = ServerFixture.start(repository());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      fixture.close();
                    } catch (InterruptedException ignored) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    return fixture;
  }
}
