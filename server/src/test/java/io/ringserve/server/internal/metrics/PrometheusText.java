package io.ringserve.server.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small reader of the Prometheus text format (0.0.4) for tests: checks every line against the
 * grammar and indexes samples by {@code name{labels}} exactly as written.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
  private static final String VALUE = "(?:[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf)|NaN)";
  private static final Pattern SAMPLE =
      Pattern.compile(
          "("
              + NAME
              + "(?:\\{(?:"
              + LABEL
              + "(?:,"
              + LABEL
              + ")*,?)?\\})?) ("
              + VALUE
              + ")(?: -?[0-9]+)?");
  private static final Pattern HELP = Pattern.compile("# HELP " + NAME + " .*");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE " + NAME + " (counter|gauge|histogram|summary|untyped)");

  private final String body;
  private final Map<String, Double> samples = new LinkedHashMap<>();

  private PrometheusText(String body) {
    this.body = body;
  }

  /** Parses {@code body}, failing the test on the first line the grammar does not allow. */
  public static PrometheusText parse(String body) {
    PrometheusText text = new PrometheusText(body);
    for (String line : body.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        assertTrue(
            HELP.matcher(line).matches() || TYPE.matcher(line).matches(),
            "malformed comment line: " + line);
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertTrue(sample.matches(), "malformed sample line: " + line);
      text.samples.put(sample.group(1), parseValue(sample.group(2)));
    }
    return text;
  }

  private static double parseValue(String value) {
    return switch (value) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }

  /** The sample written exactly as {@code nameAndLabels}, or {@code null}. */
  public Double value(String nameAndLabels) {
    return samples.get(nameAndLabels);
  }

  /** Whether any sample's name is {@code name}, with or without labels. */
  boolean hasSample(String name) {
    return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  /** The whole body, for failure messages and line checks. */
  String body() {
    return body;
  }
}
