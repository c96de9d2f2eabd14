package io.ringserve.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the measurement profiles print about the machine they ran on. */
final class BenchMachine {
  private BenchMachine() {}

  /** {@code /proc/loadavg} as Linux writes it, or "unknown" where there is none. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
