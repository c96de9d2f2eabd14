package io.ringserve.pipeline.examples;

import java.io.IOException;
import java.io.Writer;
import java.util.SplittableRandom;

/**
 * Writes a CSV of {@code columns} numbers drawn uniformly from [0, 1), named {@code x0 .. xN-1},
 * for models that take one plain vector (the {@code mlp} examples take 784): load for throughput
 * measurements of {@code ringserve score}, not meaningful data. Seeded, so a seed and a size always
 * give the same bytes; streams one row at a time. Not thread-safe.
 */
public final class UniformRowsGenerator {
  /** Four decimals: close to what a real feature file carries, and quick to parse. */
  private static final int DECIMALS = 4;

  private final SplittableRandom random;
  private final int columns;
  private final StringBuilder line;

  public UniformRowsGenerator(long seed, int columns) {
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be >= 1, got " + columns);
    }
    this.random = new SplittableRandom(seed);
    this.columns = columns;
    this.line = new StringBuilder(columns * (DECIMALS + 3));
  }

  /** Writes the header and {@code rows} rows to {@code out} (not closed; flushed at the end). */
  public void write(Writer out, long rows) throws IOException {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    line.setLength(0);
    for (int i = 0; i < columns; i++) {
      line.append(i == 0 ? "x" : ",x").append(i);
    }
    out.append(line).append('\n');
    for (long r = 0; r < rows; r++) {
      line.setLength(0);
      for (int i = 0; i < columns; i++) {
        if (i > 0) {
          line.append(',');
        }
        TransactionGenerator.appendFixed(line, random.nextDouble(), DECIMALS);
      }
      out.append(line).append('\n');
    }
    out.flush();
  }
}
