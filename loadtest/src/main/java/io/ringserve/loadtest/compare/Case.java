package io.ringserve.loadtest.compare;

import java.util.List;

/**
 * One load of the comparison: a model at a concurrency over some connections, whether the bare echo
 * service gets the same load, with the model's payload, as its baseline, and whether the minimal
 * client also drives the echo (the yardstick of the load generator's own cost; it sends {@code
 * simple}'s requests only).
 *
 * @param name how the command line and the report call it, for example {@code simple-c32}
 */
record Case(
    String name,
    String model,
    int concurrency,
    int connections,
    boolean echo,
    boolean minimalClient) {
  /** The loads of the cost-per-inference goals (docs/PERFORMANCE.md). */
  static final List<Case> ALL =
      List.of(
          new Case("simple-c32", "simple", 32, 1, true, true),
          new Case("simple-c64x16", "simple", 64, 16, true, true),
          new Case("mlp-c64", "mlp", 64, 1, true, false),
          new Case("mlp-c1", "mlp", 1, 1, false, false));

  static Case named(String name) {
    return ALL.stream()
        .filter(c -> c.name.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown case '"
                        + name
                        + "'; one of "
                        + ALL.stream().map(Case::name).toList()));
  }
}
