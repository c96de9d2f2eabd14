package io.ringserve.wire;

/**
 * JSON string literals, for the few places that write JSON by hand (log lines, the client's printed
 * results) where pulling in a JSON library would cost more than the twenty lines here.
 *
 * <p>Escapes what RFC 8259 requires (the quote, the backslash and control characters below U+0020)
 * and nothing else, so non-ASCII text stays readable. Stateless and thread-safe.
 */
public final class JsonStrings {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStrings() {}

  /** {@code s} as a JSON string literal, quotes included. */
  public static String quote(String s) {
    return appendQuoted(new StringBuilder(s.length() + 2), s).toString();
  }

  /**
   * Appends {@code s} to {@code b} as a JSON string literal, quotes included; returns {@code b}.
   */
  public static StringBuilder appendQuoted(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }
}
