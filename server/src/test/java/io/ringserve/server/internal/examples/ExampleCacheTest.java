package io.ringserve.server.internal.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleCacheTest {
  @TempDir Path parent;

  private final AtomicInteger generations = new AtomicInteger();

  private void writeOneFile(Path dir) throws IOException {
    generations.incrementAndGet();
    Files.writeString(Files.createDirectories(dir.resolve("model")).resolve("config.pbtxt"), "x");
  }

  @Test
  void shouldGenerateOnceAndThenReturnWithoutWriting() throws Exception {
    Path cache = parent.resolve("examples");

    ExampleCache.ensure(cache, "7", this::writeOneFile);
    ExampleCache.ensure(cache, "7", this::writeOneFile);

    assertEquals(1, generations.get());
    assertTrue(Files.isRegularFile(cache.resolve("model/config.pbtxt")));
    assertTrue(ExampleCache.isComplete(cache, "7"));
    assertEquals(List.of("examples"), children(parent));
  }

  @Test
  void shouldRegenerateACacheWithoutItsMarker() throws Exception {
    Path cache = parent.resolve("examples");
    Files.createDirectories(cache.resolve("model"));
    Files.writeString(cache.resolve("model/half-written"), "");

    ExampleCache.ensure(cache, "7", this::writeOneFile);

    assertEquals(1, generations.get());
    assertFalse(Files.exists(cache.resolve("model/half-written")));
    assertTrue(ExampleCache.isComplete(cache, "7"));
    assertEquals(List.of("examples"), children(parent));
  }

  @Test
  void shouldRegenerateACacheOfAnotherVersion() throws Exception {
    Path cache = parent.resolve("examples");
    ExampleCache.ensure(cache, "6", this::writeOneFile);

    ExampleCache.ensure(cache, "7", this::writeOneFile);

    assertEquals(2, generations.get());
    assertTrue(ExampleCache.isComplete(cache, "7"));
  }

  @Test
  void shouldLeaveNothingBehindWhenGenerationFails() throws Exception {
    Path cache = parent.resolve("examples");

    IOException error =
        assertThrows(
            IOException.class,
            () ->
                ExampleCache.ensure(
                    cache,
                    "7",
                    dir -> {
                      writeOneFile(dir);
                      throw new IOException("disk full");
                    }));

    assertEquals("disk full", error.getMessage());
    assertEquals(List.of(), children(parent));
  }

  @Test
  void shouldTrustACompleteExampleCacheWithoutTouchingIt() throws Exception {
    Path cache = Files.createDirectories(parent.resolve("examples"));
    Files.writeString(cache.resolve(ExampleCache.MARKER), ExampleModels.GENERATOR_VERSION + "\n");

    ExampleModels.ensureGenerated(cache, TestServers.pools());

    assertEquals(List.of(ExampleCache.MARKER), children(cache));
  }

  private static List<String> children(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
