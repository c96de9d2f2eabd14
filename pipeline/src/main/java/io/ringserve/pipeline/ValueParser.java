package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.wire.DataType;

/**
 * Reads one field's value as a number of a model datatype: JSON numbers, and numbers written as
 * strings (every CSV value). Integer types refuse fractions and values out of their range rather
 * than truncate them.
 */
final class ValueParser {
  private ValueParser() {}

  static Number number(String field, JsonNode v, DataType type) throws RecordException {
    if (type == DataType.BOOL) {
      return bool(field, v) ? 1 : 0;
    }
    boolean integral = isInteger(type);
    if (v.isNumber()) {
      if (integral) {
        if (!v.isIntegralNumber()) {
          throw new RecordException(
              "field '" + field + "' is " + v.asText() + ", not an integer (" + type + ")");
        }
        return checkRange(field, v.asText(), v.longValue(), type);
      }
      return v.doubleValue();
    }
    if (!v.isTextual()) {
      throw new RecordException(
          "field '" + field + "' is " + v.getNodeType() + ", not a number (" + type + ")");
    }
    String text = v.asText().trim();
    try {
      if (integral) {
        return checkRange(field, text, Long.parseLong(text), type);
      }
      if (type == DataType.FP32) {
        // The nearest float, not the nearest double made a float (that can be one float off).
        return DecimalText.parseFloat(text);
      }
      return DecimalText.parse(text);
    } catch (NumberFormatException e) {
      throw new RecordException(
          "field '"
              + field
              + "' is \""
              + abbreviate(v.asText())
              + "\", not "
              + (integral ? "an integer" : "a number")
              + " ("
              + type
              + ")");
    }
  }

  private static boolean bool(String field, JsonNode v) throws RecordException {
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String t = v.asText().trim();
    if (t.equalsIgnoreCase("true") || t.equals("1")) {
      return true;
    }
    if (t.equalsIgnoreCase("false") || t.equals("0")) {
      return false;
    }
    throw new RecordException("field '" + field + "' is \"" + abbreviate(t) + "\", not a BOOL");
  }

  private static boolean isInteger(DataType type) {
    return switch (type) {
      case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 -> true;
      default -> false;
    };
  }

  private static long checkRange(String field, String text, long value, DataType type)
      throws RecordException {
    if (!type.holdsInteger(value)) {
      throw new RecordException("field '" + field + "' is " + text + ", out of range for " + type);
    }
    return value;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
