package io.ringserve.server;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JVM's Native Memory Tracking, asked from inside the process (what {@code jcmd <pid>
 * VM.native_memory <command>} asks from outside), for measurements that must tell the JVM's own
 * native memory (heap, class metadata, thread stacks, code) from malloc calls of native libraries,
 * which NMT does not see.
 */
final class NativeMemoryTracking {
  private static final Pattern TOTAL_COMMITTED =
      Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

  private NativeMemoryTracking() {}

  /**
   * Runs {@code VM.native_memory <command>} ({@code baseline}, {@code summary.diff}, ...) and
   * returns its report, or {@code null} when the JVM runs without {@code -XX:NativeMemoryTracking}.
   */
  static String command(String command) {
    return run(command);
  }

  /** The JVM's total committed memory by NMT's summary, or -1 without NMT. */
  static long committedKib() {
    String summary = run("summary");
    if (summary == null) {
      return -1;
    }
    Matcher total = TOTAL_COMMITTED.matcher(summary);
    if (!total.find()) {
      throw new IllegalStateException("no total in NMT's summary: " + summary);
    }
    return Long.parseLong(total.group(1));
  }

  private static String run(String command) {
    try {
      Object report =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {new String[] {command}},
                  new String[] {String[].class.getName()});
      String text = String.valueOf(report);
      return text.contains("not enabled") ? null : text;
    } catch (JMException e) {
      throw new IllegalStateException("VM.native_memory " + command + " failed", e);
    }
  }
}
