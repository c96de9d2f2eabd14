package io.ringserve.client.cli;

import io.ringserve.client.InferResult;
import io.ringserve.client.Tensor;
import io.ringserve.wire.JsonStrings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a result: one line per output ({@code NAME DATATYPE [shape] = [values]}), or, with {@code
 * json}, the KServe v2 REST response shape ({@code {"model_name":..., "outputs":[{"name",
 * "datatype", "shape", "data"}]}}) that scripts can pipe into {@code jq}. Stateless.
 */
final class OutputPrinter {
  private OutputPrinter() {}

  static void print(InferResult result, boolean json, PrintWriter out) {
    if (json) {
      StringBuilder b = new StringBuilder();
      b.append("{\"model_name\":")
          .append(JsonStrings.quote(result.model()))
          .append(",\"model_version\":")
          .append(JsonStrings.quote(result.version()))
          .append(",\"id\":")
          .append(JsonStrings.quote(result.id()))
          .append(",\"outputs\":[");
      String sep = "";
      for (Tensor t : result.outputList()) {
        b.append(sep)
            .append("{\"name\":")
            .append(JsonStrings.quote(t.name()))
            .append(",\"datatype\":")
            .append(JsonStrings.quote(t.dataType().wireName()))
            .append(",\"shape\":")
            .append(shape(t))
            .append(",\"data\":[")
            .append(String.join(",", values(t)))
            .append("]}");
        sep = ",";
      }
      out.println(b.append("]}"));
      return;
    }
    for (Tensor t : result.outputList()) {
      out.println(
          t.name()
              + " "
              + t.dataType()
              + " "
              + shape(t)
              + " = ["
              + String.join(", ", values(t))
              + "]");
    }
  }

  /** The elements as JSON literals: numbers, booleans, quoted strings. */
  static List<String> values(Tensor t) {
    List<String> out = new ArrayList<>();
    switch (t.dataType()) {
      case FP16, BF16, FP32 -> {
        for (float f : t.asFloats()) {
          out.add(Float.isFinite(f) ? Float.toString(f) : JsonStrings.quote(Float.toString(f)));
        }
      }
      case FP64 -> {
        for (double d : t.asDoubles()) {
          out.add(Double.isFinite(d) ? Double.toString(d) : JsonStrings.quote(Double.toString(d)));
        }
      }
      case UINT64 -> {
        for (long l : t.asLongs()) {
          out.add(Long.toUnsignedString(l));
        }
      }
      case INT64, UINT32 -> {
        for (long l : t.asLongs()) {
          out.add(Long.toString(l));
        }
      }
      case INT8, INT16, INT32, UINT8, UINT16 -> {
        for (int i : t.asInts()) {
          out.add(Integer.toString(i));
        }
      }
      case BOOL -> {
        for (boolean z : t.asBooleans()) {
          out.add(Boolean.toString(z));
        }
      }
      case BYTES -> {
        for (String s : t.asStrings()) {
          out.add(JsonStrings.quote(s));
        }
      }
    }
    return out;
  }

  private static String shape(Tensor t) {
    StringBuilder b = new StringBuilder("[");
    long[] shape = t.shape();
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ",").append(shape[i]);
    }
    return b.append(']').toString();
  }
}
