package io.ringserve.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which record fields make one model input, as {@code --input NAME=SPEC} writes it: one field
 * ({@code features}, a JSON array, or a single column), or a list of columns with ranges ({@code
 * V1..V28,Amount}), read in order.
 *
 * @param input the model input's name
 * @param fields the field names, in order; one name may hold an array
 */
public record InputBinding(String input, List<String> fields) {
  public InputBinding {
    Objects.requireNonNull(input, "input");
    fields = List.copyOf(fields);
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("input " + input + ": no field given");
    }
  }

  /**
   * Parses {@code NAME=FIELD} or {@code NAME=A,B,C1..C9}.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static InputBinding parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(
          "--input " + spec + ": expected INPUT=FIELD or INPUT=COLUMN,COLUMN,PREFIX1..PREFIX9");
    }
    String input = spec.substring(0, eq).trim();
    List<String> fields = new ArrayList<>();
    for (String part : spec.substring(eq + 1).split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("--input " + spec + ": an empty field name");
      }
      int range = p.indexOf("..");
      if (range < 0) {
        fields.add(p);
      } else {
        expandRange(spec, p.substring(0, range), p.substring(range + 2), fields);
      }
    }
    return new InputBinding(input, fields);
  }

  /** {@code V1..V28}: the same prefix, then numbers counting up (or down) inclusive. */
  private static void expandRange(String spec, String from, String to, List<String> out) {
    int a = digitsStart(from);
    int b = digitsStart(to);
    String prefix = from.substring(0, a);
    if (a == from.length() || b == to.length() || !prefix.equals(to.substring(0, b))) {
      throw new IllegalArgumentException(
          "--input "
              + spec
              + ": a range is PREFIX<number>..PREFIX<number>, such as V1..V28; got "
              + from
              + ".."
              + to);
    }
    int first = Integer.parseInt(from.substring(a));
    int last = Integer.parseInt(to.substring(b));
    int step = first <= last ? 1 : -1;
    if (Math.abs((long) last - first) > 1_000_000) {
      throw new IllegalArgumentException("--input " + spec + ": range too long");
    }
    for (int i = first; ; i += step) {
      out.add(prefix + i);
      if (i == last) {
        break;
      }
    }
  }

  private static int digitsStart(String s) {
    int i = s.length();
    while (i > 0 && Character.isDigit(s.charAt(i - 1))) {
      i--;
    }
    return i;
  }
}
