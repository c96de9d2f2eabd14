package io.ringserve.server.internal.grpc;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a message fit to send to a client: absolute file paths are cut to their last two parts (the
 * model folder and file, which the client already knows), quoted names longer than {@value
 * #MAX_NAME_CHARS} characters are truncated (they came from the request), and the whole message is
 * capped at {@value #MAX_MESSAGE_CHARS} characters. Stateless and thread-safe; a regex pass per
 * failed request, nothing on the success path.
 */
public final class ClientMessages {
  /** Longest request-supplied name echoed back whole. */
  public static final int MAX_NAME_CHARS = 128;

  /** Longest message sent to a client. */
  public static final int MAX_MESSAGE_CHARS = 1024;

  // An absolute path: starts with '/' not inside a word or URL, has at least two parts.
  private static final Pattern ABSOLUTE_PATH =
      Pattern.compile("(?<![\\w.:/])(/[^\\s/:'\"(),;]+){2,}/?");
  private static final Pattern QUOTED =
      Pattern.compile("'([^'\\n]{" + (MAX_NAME_CHARS + 1) + ",})'");

  private ClientMessages() {}

  /** {@code message} without absolute paths, with long names truncated; null stays null. */
  public static String scrub(String message) {
    if (message == null) {
      return null;
    }
    Matcher paths = ABSOLUTE_PATH.matcher(message);
    StringBuilder b = new StringBuilder(message.length());
    while (paths.find()) {
      paths.appendReplacement(b, Matcher.quoteReplacement(lastParts(paths.group())));
    }
    paths.appendTail(b);
    Matcher names = QUOTED.matcher(b.toString());
    StringBuilder c = new StringBuilder(b.length());
    while (names.find()) {
      names.appendReplacement(
          c, Matcher.quoteReplacement("'" + truncate(names.group(1), MAX_NAME_CHARS) + "'"));
    }
    names.appendTail(c);
    return truncate(c.toString(), MAX_MESSAGE_CHARS);
  }

  /** A short id that ties a client's message to the one log line with the details. */
  public static String newErrorId() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 32 | 1L << 32).substring(1);
  }

  /** {@code s} cut to {@code max} characters, marked as cut. */
  public static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " characters)";
  }

  private static String lastParts(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int last = p.lastIndexOf('/');
    int before = last > 0 ? p.lastIndexOf('/', last - 1) : -1;
    return before < 0 ? p.substring(last + 1) : p.substring(before + 1);
  }
}
