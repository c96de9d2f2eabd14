package io.ringserve.loadtest.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.ringserve.loadtest.LoadTestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code --data FILE}: named input values in JSON, in perf_analyzer's layout or simpler.
 *
 * <pre>
 * {"data": [ {"INPUT0": [1, 2, ...], "INPUT1": {"content": [...], "shape": [16]}}, ... ]}
 * [ {"INPUT0": [...]} , ... ]        a list of samples
 * {"INPUT0": [...], "INPUT1": [...]}  one sample
 * </pre>
 *
 * Values may be nested arrays (flattened row-major); a {@code shape} is the row shape, without the
 * batch dimension. Each sample becomes one pre-built request, its rows repeated to fill the batch.
 * Stateless.
 */
public final class DataFile {
  /**
   * One input of one sample.
   *
   * @param values flattened values: {@link Number}, {@link Boolean} or {@link String}
   * @param shape the row shape given with the values, or {@code null}
   */
  public record Value(List<Object> values, List<Long> shape) {}

  private DataFile() {}

  /**
   * The samples in {@code file}, each a map from input name to value, in file order.
   *
   * @throws LoadTestException starting {@code --data FILE:} and saying what is wrong
   */
  public static List<Map<String, Value>> read(Path file) {
    String prefix = "--data " + file + ": ";
    JsonElement root;
    try {
      root = JsonParser.parseString(Files.readString(file));
    } catch (IOException e) {
      throw new LoadTestException(prefix + "cannot read it (" + e + ")", e);
    } catch (JsonParseException e) {
      throw new LoadTestException(prefix + "not valid JSON (" + rootCause(e) + ")", e);
    }
    JsonArray samples;
    if (root.isJsonObject() && root.getAsJsonObject().has("data")) {
      JsonElement data = root.getAsJsonObject().get("data");
      if (!data.isJsonArray()) {
        throw new LoadTestException(prefix + "\"data\" must be a list of samples");
      }
      samples = data.getAsJsonArray();
    } else if (root.isJsonArray()) {
      samples = root.getAsJsonArray();
    } else if (root.isJsonObject()) {
      samples = new JsonArray();
      samples.add(root);
    } else {
      throw new LoadTestException(prefix + "expected an object of named inputs or a list of them");
    }
    if (samples.isEmpty()) {
      throw new LoadTestException(prefix + "holds no samples");
    }
    List<Map<String, Value>> result = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      String where = prefix + "sample " + (i + 1);
      if (!samples.get(i).isJsonObject()) {
        throw new LoadTestException(where + " is not an object of named inputs");
      }
      Map<String, Value> sample = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : samples.get(i).getAsJsonObject().entrySet()) {
        sample.put(e.getKey(), value(where + " input " + e.getKey(), e.getValue()));
      }
      result.add(sample);
    }
    return List.copyOf(result);
  }

  private static Value value(String where, JsonElement e) {
    List<Long> shape = null;
    JsonElement content = e;
    if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      content = o.get("content");
      if (content == null) {
        throw new LoadTestException(
            where + ": an object value needs \"content\" (and may give \"shape\")");
      }
      if (o.has("shape")) {
        shape = new ArrayList<>();
        if (!o.get("shape").isJsonArray()) {
          throw new LoadTestException(where + ": \"shape\" must be a list of whole numbers");
        }
        for (JsonElement d : o.getAsJsonArray("shape")) {
          if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isNumber() || d.getAsLong() < 0) {
            throw new LoadTestException(where + ": \"shape\" must be a list of whole numbers >= 0");
          }
          shape.add(d.getAsLong());
        }
      }
    }
    List<Object> values = new ArrayList<>();
    flatten(where, content, values);
    return new Value(values, shape == null ? null : List.copyOf(shape));
  }

  private static void flatten(String where, JsonElement e, List<Object> out) {
    if (e.isJsonArray()) {
      for (JsonElement child : e.getAsJsonArray()) {
        flatten(where, child, out);
      }
    } else if (e.isJsonPrimitive()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      out.add(p.isBoolean() ? p.getAsBoolean() : p.isNumber() ? p.getAsNumber() : p.getAsString());
    } else {
      throw new LoadTestException(
          where + ": values must be numbers, booleans or strings, got " + e);
    }
  }

  private static String rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
