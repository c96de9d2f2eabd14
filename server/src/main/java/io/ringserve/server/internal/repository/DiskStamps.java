package io.ringserve.server.internal.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cheap fingerprints of what is on disk, so that a poll can tell a changed model or version from an
 * unchanged one without reading the model: a version folder's stamp covers every file's path, size
 * and modification time; a config's covers its contents.
 *
 * <p>Stateless. A stamp costs one directory walk (a stat per file).
 */
final class DiskStamps {
  private DiskStamps() {}

  /** The stamp of a folder's files; changes when a file is added, removed, resized or touched. */
  static long ofTree(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long stamp = 17;
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> sorted = files.sorted().toList();
      for (Path file : sorted) {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        stamp = 31 * stamp + dir.relativize(file).toString().hashCode();
        if (attributes.isRegularFile()) {
          stamp = 31 * stamp + attributes.size();
          stamp = 31 * stamp + attributes.lastModifiedTime().toMillis();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // A folder changing under the walk: a stamp no load matches, so the next poll looks again.
      return System.nanoTime();
    }
    return stamp;
  }

  /** The stamp of a config file's contents; 0 if there is none. */
  static String ofConfig(Path modelDir) {
    Path file = modelDir.resolve(ModelConfigs.CONFIG_FILE);
    try {
      return Files.exists(file) ? "file:" + Files.readString(file).hashCode() : "file:none";
    } catch (IOException e) {
      return "file:unreadable:" + System.nanoTime();
    }
  }
}
