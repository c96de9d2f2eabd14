package io.ringserve.pipeline.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a {@code --source} argument into the files it names, in the order they are read: one file,
 * every file of a directory whose extension is a known format, or a glob ({@code logs/*.jsonl},
 * {@code data/**}{@code /part-*.csv}); names are sorted, so that a run and its resumption read the
 * same records in the same order.
 */
public final class FileInputs {
  private FileInputs() {}

  /**
   * The files {@code spec} names.
   *
   * @throws IOException naming the argument when it matches nothing
   */
  public static List<Path> resolve(String spec) throws IOException {
    if (isGlob(spec)) {
      return glob(spec);
    }
    Path path = Path.of(spec);
    if (Files.isDirectory(path)) {
      try (Stream<Path> children = Files.list(path)) {
        List<Path> files =
            children
                .filter(Files::isRegularFile)
                .filter(p -> FileFormat.byExtension(p.getFileName().toString()) != null)
                .sorted()
                .toList();
        if (files.isEmpty()) {
          throw new IOException(
              "--source "
                  + spec
                  + ": the directory has no .jsonl, .ndjson, .json, .csv or .parquet file");
        }
        return files;
      }
    }
    if (!Files.isRegularFile(path)) {
      throw new IOException("--source " + spec + ": no such file");
    }
    return List.of(path);
  }

  private static boolean isGlob(String spec) {
    return spec.indexOf('*') >= 0
        || spec.indexOf('?') >= 0
        || spec.indexOf('[') >= 0
        || spec.indexOf('{') >= 0;
  }

  private static List<Path> glob(String spec) throws IOException {
    // The folder to walk is the part of the pattern before its first wildcard.
    int wildcard = firstWildcard(spec);
    int slash = spec.lastIndexOf('/', wildcard);
    Path base = slash < 0 ? Path.of(".") : Path.of(spec.substring(0, Math.max(slash, 1)));
    String pattern = slash < 0 ? "./" + spec : spec;
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(base)) {
      try (Stream<Path> walk = Files.walk(base)) {
        walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().forEach(files::add);
      }
    }
    if (files.isEmpty()) {
      throw new IOException("--source " + spec + ": the pattern matches no file");
    }
    return files;
  }

  private static int firstWildcard(String spec) {
    int first = spec.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int i = spec.indexOf(c);
      if (i >= 0 && i < first) {
        first = i;
      }
    }
    return first;
  }
}
