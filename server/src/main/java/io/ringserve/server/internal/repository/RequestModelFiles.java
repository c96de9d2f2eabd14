package io.ringserve.server.internal.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The model files a {@code RepositoryModelLoad} request carries in its {@code
 * file:<version>/<path>} parameters, as Triton takes them: each written into a private temporary
 * model directory that the load reads instead of the model's repository folder, and deleted once
 * the load is done (the engines have read what they need by then).
 *
 * <p>Every path must stay inside that directory: empty, absolute, {@code .} and {@code ..} segments
 * and backslashes are refused before anything is written. Their total size is bounded by the
 * transport's message size limit ({@code --grpc-max-message-bytes} and the HTTP body limit).
 *
 * <p>Not thread-safe: built by the calling thread, used and closed by the loader thread.
 */
public final class RequestModelFiles implements AutoCloseable {
  private final String model;
  private final Map<String, byte[]> files;
  private Path directory;

  private RequestModelFiles(String model, Map<String, byte[]> files) {
    this.model = model;
    this.files = files;
  }

  /**
   * Checks every path of {@code files} (relative paths such as {@code 1/model.onnx}, keyed without
   * the {@code file:} prefix).
   *
   * @throws IllegalArgumentException naming the first path that is not a relative path inside the
   *     model directory
   */
  public static RequestModelFiles of(String model, Map<String, byte[]> files) {
    Objects.requireNonNull(model, "model");
    Map<String, byte[]> checked = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      checkPath(model, file.getKey());
      checked.put(file.getKey(), Objects.requireNonNull(file.getValue(), file.getKey()));
    }
    // Each folder a path needs, looked up among the files: linear in the paths' length.
    for (String path : checked.keySet()) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        String folder = path.substring(0, slash);
        if (checked.containsKey(folder)) {
          throw new IllegalArgumentException(
              "failed to load '"
                  + model
                  + "': file parameter 'file:"
                  + folder
                  + "' names a file where 'file:"
                  + path
                  + "' needs a folder");
        }
      }
    }
    return new RequestModelFiles(model, checked);
  }

  private static void checkPath(String model, String path) {
    boolean bad =
        path.isEmpty()
            || path.startsWith("/")
            || path.indexOf('\\') >= 0
            || path.indexOf('\0') >= 0
            || path.matches("^[A-Za-z]:.*");
    if (!bad) {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          bad = true;
          break;
        }
      }
    }
    if (bad) {
      throw new IllegalArgumentException(
          "failed to load '"
              + model
              + "': file parameter 'file:"
              + path
              + "' must be a relative path inside the model directory, such as"
              + " 'file:1/model.onnx' (absolute paths, empty, '.' and '..' segments are refused)");
    }
  }

  /** Whether the request carried no files. */
  public boolean isEmpty() {
    return files.isEmpty();
  }

  /**
   * Writes the files into a fresh private directory and returns the model directory in it.
   *
   * @throws UncheckedIOException if a file cannot be written
   */
  Path write() {
    try {
      directory = Files.createTempDirectory("ringserve-load-");
      Path modelDir = directory.resolve("model");
      Files.createDirectories(modelDir);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path target = modelDir.resolve(file.getKey()).normalize();
        if (!target.startsWith(modelDir)) {
          // checkPath refused this already; a second guard costs nothing.
          throw new IllegalStateException("file:" + file.getKey() + " escapes the model directory");
        }
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
      }
      return modelDir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "failed to load '" + model + "': cannot write the request's model files", e);
    }
  }

  /** Deletes the temporary directory, if written. */
  @Override
  public void close() {
    if (directory != null) {
      try (Stream<Path> tree = Files.walk(directory)) {
        for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
      } catch (IOException | UncheckedIOException e) {
        System.getLogger(RequestModelFiles.class.getName())
            .log(System.Logger.Level.WARNING, "cannot delete " + directory + ": " + e);
      }
      directory = null;
    }
  }
}
