package io.ringserve.server.internal.log;

import java.util.function.Predicate;

/** Short reasons for one-line messages, instead of stack traces. Stateless. */
public final class Reasons {
  private Reasons() {}

  /** Whether {@code e} or any of its causes passes {@code test}. */
  public static boolean anyCause(Throwable e, Predicate<Throwable> test) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (test.test(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The innermost cause's message, e.g. "Address already in use", for a one-line start-up error;
   * the simple class name when it has none.
   */
  public static String root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    if (message == null || message.isBlank()) {
      return root.getClass().getSimpleName();
    }
    // Netty's native bind error reads "bind(..) failed: Address already in use".
    int failed = message.lastIndexOf("failed: ");
    return failed >= 0 ? message.substring(failed + "failed: ".length()) : message;
  }
}
