package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where a file run stood when its output was last made durable: how many input records have their
 * output record written, and the output's length then. Resuming cuts the output to that length and
 * skips that many records, so that no output record is missing or doubled.
 *
 * <p>The run writes the output through to the disk before the checkpoint, and replaces the
 * checkpoint file atomically (a new file renamed over the old), so that a kill at any instant
 * leaves either the old or the new checkpoint, each consistent with the output.
 *
 * @param source the source as the run described it; a resume must read the same
 * @param batchSize records per request; a resume must batch the same way, so that every record runs
 *     in the same batch as before and gets the same bits
 * @param records input records done (each has its output record)
 * @param outputBytes the output's length after those records
 * @param errors error records among them
 */
public record Checkpoint(
    String source, int batchSize, long records, long outputBytes, long errors) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The checkpoint beside an output file: {@code scored.jsonl.checkpoint}. */
  public static Path besides(Path output) {
    return output.resolveSibling(output.getFileName() + ".checkpoint");
  }

  /** Reads a checkpoint, or returns {@code null} if there is none. */
  public static Checkpoint read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readValue(file.toFile(), Checkpoint.class);
    } catch (IOException e) {
      throw new IOException("checkpoint " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Writes this checkpoint durably in place of {@code file}'s old one. */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(this));
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
