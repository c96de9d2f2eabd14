package io.ringserve.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The concurrency levels of a sweep, as perf_analyzer's {@code --concurrency-range START:END:STEP},
 * except that the step multiplies: {@code 1:128:2} is 1, 2, 4, ..., 128 (END is always included). A
 * factor of 1 is not allowed; use {@code START:END:+STEP} for a linear step. Immutable.
 *
 * @param start first level, at least 1
 * @param end last level, at least {@code start}
 * @param factor multiplier between levels (when {@code additive} is false) or step (when true)
 * @param additive whether levels grow by adding {@code factor} instead of multiplying
 */
public record ConcurrencyRange(int start, int end, int factor, boolean additive) {
  public ConcurrencyRange {
    if (start < 1) {
      throw new IllegalArgumentException("concurrency range start must be >= 1, got " + start);
    }
    if (end < start) {
      throw new IllegalArgumentException(
          "concurrency range end must be >= start (" + start + "), got " + end);
    }
    if (additive ? factor < 1 : factor < 2) {
      throw new IllegalArgumentException(
          "concurrency range "
              + (additive ? "step must be >= 1" : "factor must be >= 2")
              + ", got "
              + factor);
    }
  }

  /**
   * Parses {@code START:END:FACTOR}, {@code START:END:+STEP} or {@code START:END} (factor 2).
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static ConcurrencyRange parse(String text) {
    String[] parts = text.trim().split(":", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "concurrency range '" + text + "' must be START:END:FACTOR, for example 1:128:2");
    }
    try {
      int start = Integer.parseInt(parts[0].trim());
      int end = Integer.parseInt(parts[1].trim());
      if (parts.length == 2) {
        return new ConcurrencyRange(start, end, 2, false);
      }
      String f = parts[2].trim();
      boolean additive = f.startsWith("+");
      return new ConcurrencyRange(
          start, end, Integer.parseInt(additive ? f.substring(1) : f), additive);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "concurrency range '" + text + "' must be START:END:FACTOR with whole numbers", e);
    }
  }

  /** The levels, ascending, ending with {@code end}. */
  public List<Integer> levels() {
    List<Integer> levels = new ArrayList<>();
    long level = start;
    while (level < end) {
      levels.add((int) level);
      level = additive ? level + factor : level * factor;
    }
    levels.add(end);
    return List.copyOf(levels);
  }
}
