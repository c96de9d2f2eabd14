package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The end of a run in figures: records (each with one output record), error records among them, the
 * elapsed time and the throughput of this process (records it scored, not those a resumed run had
 * done before).
 *
 * @param stoppedBecause why the run stopped early, or {@code null} if it scored everything
 */
public record Summary(
    String model,
    String source,
    String sink,
    long records,
    long predictions,
    long errors,
    long recordsThisRun,
    double elapsedSeconds,
    double recordsPerSecond,
    boolean resumed,
    String stoppedBecause) {

  /** One line for people. */
  public String text() {
    return String.format(
        Locale.ROOT,
        "score: %s %,d records (%,d predictions, %,d errors) from %s to %s in %.1f s, %,.0f"
            + " records/s%s",
        stoppedBecause == null ? "done:" : "STOPPED:",
        records,
        predictions,
        errors,
        source,
        sink,
        elapsedSeconds,
        recordsPerSecond,
        (resumed ? " (resumed)" : "") + (stoppedBecause == null ? "" : "; " + stoppedBecause));
  }

  /** Writes the summary as a JSON object. */
  public void writeJson(Path file) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
  }
}
