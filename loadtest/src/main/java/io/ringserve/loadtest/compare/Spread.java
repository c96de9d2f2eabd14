package io.ringserve.loadtest.compare;

import java.util.Arrays;

/** Median, minimum, maximum and max/min of one figure over the rounds. Immutable. */
record Spread(double median, double min, double max) {
  static Spread of(double[] values) {
    double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return new Spread(Double.NaN, Double.NaN, Double.NaN);
    }
    double median =
        v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    return new Spread(median, v[0], v[v.length - 1]);
  }

  /** max/min, the figure's stability over the rounds (1 is perfectly stable). */
  double ratio() {
    return min > 0 ? max / min : Double.NaN;
  }
}
