package io.ringserve.server.internal.backend.tensorflow;

/**
 * Turns off JavaCPP's check of the process's resident memory, which TensorFlow Java (built on
 * JavaCPP) otherwise runs for every native object it tracks: each tensor a session call returns,
 * each pointer wrapped around a tensor's memory. The check reads {@code /proc/self/statm}, a system
 * call each time, seven per {@code mlp} request in a served run, about 4 us of a 10 us {@code
 * simple} batch (docs/PERFORMANCE.md, "Wake-ups and spinning"). What it guards against does not
 * apply here: the server closes every tensor it makes, and TensorFlow's own allocations, the
 * weights above all, count in the resident size too, so a model larger than twice the Java heap
 * would make JavaCPP call {@code System.gc()} and then throw {@code OutOfMemoryError} on every
 * allocation. JavaCPP's count of its own allocations ({@code org.bytedeco.javacpp.maxBytes}, no
 * system call) stays.
 *
 * <p>JavaCPP reads the setting once, when its {@code Pointer} class initialises, so it is applied
 * before the first TensorFlow session ({@link ProcessThreadPools}, created first thing by whoever
 * starts a server). A value the operator set ({@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=...}
 * in either spelling JavaCPP accepts) is kept.
 *
 * <p>Thread-safe.
 */
final class JavaCppLimits {
  static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";
  private static final String MAX_PHYSICAL_BYTES_LOWER = "org.bytedeco.javacpp.maxphysicalbytes";

  private JavaCppLimits() {}

  /** Sets JavaCPP's resident-memory limit to none unless the operator chose one. */
  static synchronized void skipResidentMemoryChecks() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) == null
        && System.getProperty(MAX_PHYSICAL_BYTES_LOWER) == null) {
      System.setProperty(MAX_PHYSICAL_BYTES, "0");
    }
  }
}
