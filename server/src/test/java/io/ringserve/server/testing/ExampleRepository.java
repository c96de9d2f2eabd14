package io.ringserve.server.testing;

import io.ringserve.server.internal.examples.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The example models ({@link ExampleModels#NAMES}), generated once per JVM into a temporary folder,
 * and repositories holding copies of some of them. Everything is deleted when the JVM exits.
 *
 * <p>Generating the models costs about a second and runs TensorFlow export sessions, which is why
 * it happens once, here, with the test JVM's one pool setting ({@link TestServers#pools()}).
 * Callers must not write into the folders they get; copy models out to change them.
 *
 * <p>Thread-safe.
 */
public final class ExampleRepository {
  // @GuardedBy("ExampleRepository.class"): the generated repository, null until first asked for.
  private static Path examples;

  // @GuardedBy("ExampleRepository.class"): subsets by their model list, and every folder made.
  private static final Map<List<String>, Path> subsets = new HashMap<>();
  private static final List<Path> created = new ArrayList<>();

  private ExampleRepository() {}

  /** The repository of every example model. */
  public static synchronized Path path() {
    if (examples == null) {
      Path dir = newFolder("ringserve-examples");
      try {
        ExampleModels.writeTo(dir, TestServers.pools());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      examples = dir;
    }
    return examples;
  }

  /**
   * A repository holding copies of only the named example models (a server over it loads faster).
   * The same list gives the same folder.
   */
  public static synchronized Path only(String... models) {
    List<String> key = List.of(models);
    Path subset = subsets.get(key);
    if (subset == null) {
      Path source = path();
      subset = newFolder("ringserve-examples-subset");
      try {
        for (String model : key) {
          if (!ExampleModels.NAMES.contains(model)) {
            throw new IllegalArgumentException(
                "no example model '" + model + "'; there are " + ExampleModels.NAMES);
          }
          copy(source.resolve(model), subset.resolve(model));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      subsets.put(key, subset);
    }
    return subset;
  }

  /** Copies a folder and everything under it. */
  public static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }

  private static Path newFolder(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      if (created.isEmpty()) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(ExampleRepository::deleteAll, "ringserve-examples-cleanup"));
      }
      created.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized void deleteAll() {
    for (Path dir : created) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException | UncheckedIOException e) {
        // A temporary folder left behind costs disk space only; the JVM is exiting anyway.
      }
    }
  }
}
