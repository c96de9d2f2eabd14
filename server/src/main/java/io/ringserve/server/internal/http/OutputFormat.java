package io.ringserve.server.internal.http;

import java.util.Map;

/**
 * Which outputs of a REST inference answer go as binary data (the binary tensor data extension) and
 * which as JSON: an output's own {@code binary_data} parameter wins over the request's {@code
 * binary_data_output}. Immutable.
 */
record OutputFormat(boolean binaryByDefault, Map<String, Boolean> perOutput) {
  OutputFormat {
    perOutput = Map.copyOf(perOutput);
  }

  boolean binary(String output) {
    return perOutput.getOrDefault(output, binaryByDefault);
  }
}
