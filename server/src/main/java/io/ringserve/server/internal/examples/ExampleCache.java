package io.ringserve.server.internal.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Keeps a generated directory complete across crashes and concurrent generators.
 *
 * <p>A generator writes into a fresh temporary sibling of the cache directory, writes a marker file
 * holding the generator version last, and only then moves the whole sibling into place with one
 * atomic rename. So the cache directory either does not exist or is complete: a process killed
 * mid-write leaves only a temporary sibling (swept up by a later generation once it is an hour
 * old), never a half-written cache. A cache without the marker, or with another version, is
 * regenerated.
 *
 * <p>Stateless and thread-safe.
 */
final class ExampleCache {
  /** Hidden, so that a model repository scan skips it. */
  static final String MARKER = ".ringserve-examples-version";

  private static final System.Logger LOG = System.getLogger(ExampleCache.class.getName());
  private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  /** Writes the cache's contents into an empty directory. */
  interface Generator {
    void writeTo(Path dir) throws IOException;
  }

  private ExampleCache() {}

  /** True if {@code dir} holds a complete copy written by generator {@code version}. */
  static boolean isComplete(Path dir, String version) {
    try {
      return Files.readString(dir.resolve(MARKER), StandardCharsets.UTF_8).strip().equals(version);
    } catch (IOException missingOrUnreadable) {
      return false;
    }
  }

  /** Generates {@code cacheDir} unless it is complete for {@code version}. */
  static void ensure(Path cacheDir, String version, Generator generator) throws IOException {
    if (isComplete(cacheDir, version)) {
      return;
    }
    Path target = cacheDir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    String name = target.getFileName().toString();
    Files.createDirectories(parent);
    sweepAbandoned(parent, name + ".tmp-");
    LOG.log(System.Logger.Level.INFO, "generating example models into {0}", target);
    Path temp = Files.createTempDirectory(parent, name + ".tmp-");
    try {
      generator.writeTo(temp);
      Files.writeString(temp.resolve(MARKER), version + "\n", StandardCharsets.UTF_8);
      if (isComplete(target, version)) {
        return; // another process finished while we were generating
      }
      if (Files.exists(target)) {
        // Stale (older version or half-written by hand): move it aside first, since a directory
        // cannot be renamed onto a non-empty one.
        Path old = Files.createTempDirectory(parent, name + ".tmp-old-");
        Files.delete(old);
        moveAtomically(target, old);
        deleteRecursively(old);
      }
      try {
        moveAtomically(temp, target);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        if (!isComplete(target, version)) {
          throw new IOException(
              "cannot generate example models into " + target + ": replaced concurrently", raced);
        }
        // Another process finished first; its copy is as good as ours.
      }
    } finally {
      deleteRecursively(temp);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException unsupported) {
      throw new IOException(
          "cannot rename " + from + " to " + to + " atomically; is the cache on one file system?",
          unsupported);
    }
  }

  /** Deletes temporary siblings that crashed generators left behind long ago. */
  private static void sweepAbandoned(Path parent, String prefix) {
    Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
    try (Stream<Path> siblings = Files.list(parent)) {
      for (Path sibling : (Iterable<Path>) siblings::iterator) {
        if (sibling.getFileName().toString().startsWith(prefix)
            && Files.getLastModifiedTime(sibling).toInstant().isBefore(cutoff)) {
          deleteRecursively(sibling);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Only disk space is at stake; generation itself can go on.
      LOG.log(System.Logger.Level.DEBUG, "cannot sweep abandoned example caches in " + parent, e);
    }
  }

  /** Deletes {@code path} and everything under it; does nothing if it does not exist. */
  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        try {
          Files.delete(p);
        } catch (NoSuchFileException gone) {
          // Deleted concurrently; the goal is reached either way.
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
