package io.ringserve.pipeline.examples;

import io.ringserve.server.internal.examples.FraudModel;
import java.io.IOException;
import java.io.Writer;
import java.util.SplittableRandom;

/**
 * Writes a synthetic {@code transactions.csv} for the {@code fraud} example: a header row {@code
 * Time,V1,..,V28,Amount} and one row per transaction, drawn from a seeded {@link SplittableRandom},
 * so that a seed and a row count always give the same bytes.
 *
 * <p>Ordinary rows draw each component from the model's own means and scales ({@link
 * FraudModel#MEANS}, {@link FraudModel#SCALES}); about one row in {@code 1 / fraudRate} is shifted
 * along the model's signal features, as fraud is in the public data set, and scores high. Time runs
 * through a two-day window in row order; Amount is log-normal, in cents.
 *
 * <p>Streams: one row at a time into the caller's writer, whatever the row count. Not thread-safe.
 */
public final class TransactionGenerator {
  /** Two days, in seconds: the public data set's window. */
  private static final double WINDOW_SECONDS = 172_800;

  /** How far, in scales, a fraudulent row leans along each signal feature. */
  private static final double FRAUD_SHIFT = 1.5;

  private static final int DECIMALS = 6;

  private final SplittableRandom random;
  private final double fraudRate;
  private final StringBuilder line = new StringBuilder(400);

  /**
   * @param fraudRate the share of rows drawn as fraud, in [0, 1]
   */
  public TransactionGenerator(long seed, double fraudRate) {
    if (!(fraudRate >= 0 && fraudRate <= 1)) {
      throw new IllegalArgumentException("the fraud rate must be in [0, 1], got " + fraudRate);
    }
    this.random = new SplittableRandom(seed);
    this.fraudRate = fraudRate;
  }

  /** Writes the header and {@code rows} rows to {@code out} (not closed; flushed at the end). */
  public void write(Writer out, long rows) throws IOException {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    out.write(String.join(",", FraudModel.FEATURES));
    out.write('\n');
    for (long r = 0; r < rows; r++) {
      row(r, rows);
      out.append(line);
    }
    out.flush();
  }

  private void row(long r, long rows) {
    line.setLength(0);
    boolean fraud = random.nextDouble() < fraudRate;
    line.append((long) (r * WINDOW_SECONDS / rows));
    int features = FraudModel.FEATURES.size();
    for (int i = 1; i < features - 1; i++) {
      double z = random.nextGaussian();
      if (fraud) {
        z += FRAUD_SHIFT * Math.signum(FraudModel.SIGNAL.get(i));
      }
      line.append(',');
      appendFixed(line, FraudModel.MEANS.get(i) + z * FraudModel.SCALES.get(i), DECIMALS);
    }
    line.append(',');
    appendFixed(line, Math.exp(3.5 + 1.3 * random.nextGaussian()), 2);
    line.append('\n');
  }

  /** {@code value} with {@code decimals} digits after the point, rounded half up; fast. */
  static void appendFixed(StringBuilder out, double value, int decimals) {
    long scale = 1;
    for (int i = 0; i < decimals; i++) {
      scale *= 10;
    }
    long units = Math.round(Math.abs(value) * scale);
    if (value < 0 && units != 0) {
      out.append('-');
    }
    out.append(units / scale);
    if (decimals == 0) {
      return;
    }
    out.append('.');
    String fraction = Long.toString(units % scale);
    for (int i = fraction.length(); i < decimals; i++) {
      out.append('0');
    }
    out.append(fraction);
  }
}
