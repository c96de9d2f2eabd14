package io.ringserve.server.internal.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the machine's CPU offers that changes the engines' speed: the widest x86 vector unit
 * (AVX-512 or AVX2, which TensorFlow's oneDNN kernels and ONNX Runtime dispatch on), read from
 * {@code /proc/cpuinfo}; unknown elsewhere. Logged once at start, beside the oneDNN setting in
 * force, so that every performance figure can be tied to the kind of CPU that produced it
 * (docs/PERFORMANCE.md, "CPU-aware defaults"). Immutable.
 *
 * @param model the CPU's model name, or {@code unknown}
 */
public record CpuFeatures(String model, VectorUnit vectorUnit) {

  /** The widest vector unit, as far as the engines care. */
  public enum VectorUnit {
    AVX512("AVX-512"),
    AVX2("AVX2, no AVX-512"),
    OLDER("x86 without AVX2"),
    UNKNOWN("unknown vector units");

    private final String label;

    VectorUnit(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** This machine's, from {@code /proc/cpuinfo}; unknown if it cannot be read (not Linux). */
  public static CpuFeatures detect() {
    try {
      return parse(Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return new CpuFeatures("unknown", VectorUnit.UNKNOWN);
    }
  }

  /** From the text of {@code /proc/cpuinfo}; its first processor speaks for all. */
  static CpuFeatures parse(String cpuinfo) {
    String model = "unknown";
    List<String> flags = null;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("model name") && model.equals("unknown")) {
        model = value;
      } else if (key.equals("flags") && flags == null) {
        flags = Arrays.asList(value.toLowerCase(Locale.ROOT).split("\\s+"));
      }
    }
    VectorUnit unit;
    if (flags == null) {
      unit = VectorUnit.UNKNOWN;
    } else if (flags.contains("avx512f")) {
      unit = VectorUnit.AVX512;
    } else if (flags.contains("avx2")) {
      unit = VectorUnit.AVX2;
    } else {
      unit = VectorUnit.OLDER;
    }
    return new CpuFeatures(model, unit);
  }

  /**
   * The start-up line: the CPU and TensorFlow's oneDNN setting, which TensorFlow reads from the
   * environment when its native library loads (so it is the launcher's choice, {@code ./ringserve}
   * or the container's entrypoint, not this process's).
   *
   * @param oneDnnEnv the value of {@code TF_ENABLE_ONEDNN_OPTS}, or null when unset
   */
  public String startLine(String oneDnnEnv) {
    String setting;
    if (oneDnnEnv == null) {
      setting = "TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default (on for x86-64 Linux)";
    } else {
      // TensorFlow reads the variable as a boolean: 0/1 or false/true, any case.
      String v = oneDnnEnv.trim().toLowerCase(Locale.ROOT);
      setting =
          switch (v) {
            case "0", "false" -> "off (TF_ENABLE_ONEDNN_OPTS=" + oneDnnEnv + ")";
            case "1", "true" -> "on (TF_ENABLE_ONEDNN_OPTS=" + oneDnnEnv + ")";
            default ->
                "at TensorFlow's default (TF_ENABLE_ONEDNN_OPTS="
                    + oneDnnEnv
                    + " is neither 0/1 nor false/true)";
          };
    }
    return "CPU: " + model + ", " + vectorUnit + "; TensorFlow oneDNN kernels " + setting;
  }
}
