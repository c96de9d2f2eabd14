package io.ringserve.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of one input as the command line gives them: {@code 1,2,3}, a JSON array (nested
 * arrays give the shape: {@code [[1,2],[3,4]]}), each element kept as text until the model's
 * datatype says how to read it. Immutable.
 *
 * @param values the elements in row-major order, as text
 * @param shape the shape nested JSON arrays spell out, or {@code null} for a flat list
 */
record InputValues(List<String> values, long[] shape) {

  /**
   * Parses {@code text}: a JSON array if it starts with {@code [}, else comma-separated values.
   *
   * @throws IllegalArgumentException naming {@code input} if the JSON is malformed or ragged
   */
  static InputValues parse(String input, String text) {
    String trimmed = text.strip();
    if (trimmed.startsWith("[")) {
      return fromJson(input, json(input, trimmed));
    }
    List<String> values = new ArrayList<>();
    if (!trimmed.isEmpty()) {
      for (String token : trimmed.split(",", -1)) {
        values.add(token.strip());
      }
    }
    return new InputValues(values, null);
  }

  /** Values from a parsed JSON value: an array (nested for more dimensions) or a scalar. */
  static InputValues fromJson(String input, Value json) {
    if (json.getKindCase() != Value.KindCase.LIST_VALUE) {
      return new InputValues(List.of(text(input, json)), new long[0]);
    }
    List<Long> dims = new ArrayList<>();
    Value probe = json;
    while (probe.getKindCase() == Value.KindCase.LIST_VALUE) {
      ListValue list = probe.getListValue();
      dims.add((long) list.getValuesCount());
      if (list.getValuesCount() == 0) {
        break;
      }
      probe = list.getValues(0);
    }
    List<String> values = new ArrayList<>();
    flatten(input, json, 0, dims, values);
    return new InputValues(values, dims.stream().mapToLong(Long::longValue).toArray());
  }

  /** Parses JSON text. */
  static Value json(String input, String text) {
    Value.Builder value = Value.newBuilder();
    try {
      JsonFormat.parser().merge(text, value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "input " + input + ": values are not valid JSON: " + e.getMessage(), e);
    }
    return value.build();
  }

  private static void flatten(
      String input, Value value, int depth, List<Long> dims, List<String> out) {
    if (depth == dims.size()) {
      if (value.getKindCase() == Value.KindCase.LIST_VALUE) {
        throw ragged(input);
      }
      out.add(text(input, value));
      return;
    }
    if (value.getKindCase() != Value.KindCase.LIST_VALUE
        || value.getListValue().getValuesCount() != dims.get(depth)) {
      throw ragged(input);
    }
    for (Value v : value.getListValue().getValuesList()) {
      flatten(input, v, depth + 1, dims, out);
    }
  }

  private static String text(String input, Value v) {
    return switch (v.getKindCase()) {
      case NUMBER_VALUE -> {
        double d = v.getNumberValue();
        yield d == Math.rint(d) && Math.abs(d) < 0x1p53
            ? Long.toString((long) d)
            : Double.toString(d);
      }
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default ->
          throw new IllegalArgumentException(
              "input " + input + ": JSON elements must be numbers, strings or booleans");
    };
  }

  private static IllegalArgumentException ragged(String input) {
    return new IllegalArgumentException(
        "input " + input + ": nested JSON arrays must be rectangular (every row the same length)");
  }
}
