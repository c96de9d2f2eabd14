package io.ringserve.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The concurrency levels of a sweep, as perf_analyzer's {@code --concurrency-range
 * START[:END[:STEP]]}: START, then STEP (1 unless given) added while the level stays within END, so
 * {@code 1:16:4} is 1, 5, 9, 13, a lone START (or an END below it) is one level, and a Triton
 * user's command means the same here. Added for sweeps over orders of magnitude: {@code
 * START:END:*FACTOR} multiplies and always ends with END, so {@code 1:100:*2} is 1, 2, 4, ..., 64,
 * 100. At most {@link #MAX_LEVELS} levels. Immutable.
 *
 * @param start first level, at least 1
 * @param end last level allowed (at least {@code start}: an END below START is read as START)
 * @param step what is added between levels (when {@code additive}), or the factor they are
 *     multiplied by (when not)
 * @param additive whether levels grow by adding {@code step} instead of multiplying
 */
public record ConcurrencyRange(int start, int end, int step, boolean additive) {
  /** Each level is a whole measurement: a range of more is a typo, not a plan. */
  public static final int MAX_LEVELS = 1_000;

  private static final String FORM =
      "START[:END[:STEP]] as perf_analyzer's (STEP added, 1 by default), or START:END:*FACTOR"
          + " to multiply, for example 1:64:8 or 1:128:*2";

  public ConcurrencyRange {
    if (start < 1) {
      throw new IllegalArgumentException("concurrency range start must be >= 1, got " + start);
    }
    if (end < start) {
      throw new IllegalArgumentException(
          "concurrency range end must be >= start (" + start + "), got " + end);
    }
    if (additive ? step < 1 : step < 2) {
      throw new IllegalArgumentException(
          "concurrency range "
              + (additive ? "step must be >= 1" : "factor must be >= 2")
              + ", got "
              + step);
    }
    long levels = additive ? ((long) end - start) / step + 1 : 0;
    if (levels > MAX_LEVELS) {
      throw new IllegalArgumentException(
          "concurrency range "
              + start
              + ":"
              + end
              + ":"
              + step
              + " has "
              + levels
              + " levels, more than "
              + MAX_LEVELS
              + "; use a larger STEP or *FACTOR");
    }
  }

  /**
   * Parses {@code START}, {@code START:END}, {@code START:END:STEP} or {@code START:END:*FACTOR}
   * ({@code +STEP} is read as {@code STEP}, as earlier versions wrote a linear step).
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static ConcurrencyRange parse(String text) {
    String[] parts = text.trim().split(":", -1);
    if (parts.length > 3) {
      throw new IllegalArgumentException("concurrency range '" + text + "' must be " + FORM);
    }
    try {
      int start = Integer.parseInt(parts[0].trim());
      int endGiven = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : start;
      if (parts.length > 1 && endGiven == 0) {
        // perf_analyzer's END of 0 searches upwards until a latency threshold, which this tool
        // does not have: say so rather than refuse it as a backwards range.
        throw new IllegalArgumentException(
            "concurrency range '"
                + text
                + "': an END of 0 (perf_analyzer's search up to --latency-threshold) is not"
                + " supported; give the last level");
      }
      // An END below START measures START alone, as perf_analyzer does.
      int end = Math.max(start, endGiven);
      if (parts.length < 3) {
        return new ConcurrencyRange(start, end, 1, true);
      }
      String s = parts[2].trim();
      if (s.startsWith("*")) {
        return new ConcurrencyRange(start, end, Integer.parseInt(s.substring(1)), false);
      }
      return new ConcurrencyRange(
          start, end, Integer.parseInt(s.startsWith("+") ? s.substring(1) : s), true);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "concurrency range '" + text + "' must be " + FORM + ", in whole numbers up to 2^31-1",
          e);
    }
  }

  /** The levels, ascending: within {@code end} when adding, ending with it when multiplying. */
  public List<Integer> levels() {
    List<Integer> levels = new ArrayList<>();
    if (additive) {
      for (long level = start; level <= end; level += step) {
        levels.add((int) level);
      }
      return List.copyOf(levels);
    }
    long level = start;
    while (level < end) {
      levels.add((int) level);
      level *= step;
    }
    levels.add(end);
    return List.copyOf(levels);
  }
}
