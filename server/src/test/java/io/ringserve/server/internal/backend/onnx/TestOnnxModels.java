package io.ringserve.server.internal.backend.onnx;

import io.ringserve.server.internal.examples.OnnxModelWriter;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small ONNX models for backend tests, written with {@link OnnxModelWriter}. */
final class TestOnnxModels {
  private TestOnnxModels() {}

  /**
   * Writes a model with, for each type, input {@code IN_<type>} [-1, 3] passed through an Identity
   * node to output {@code OUT_<type>}; returns the file.
   */
  static Path identities(Path file, List<DataType> types) throws IOException {
    Files.createDirectories(file.getParent());
    OnnxModelWriter model = new OnnxModelWriter("identities");
    for (DataType type : types) {
      model.input("IN_" + type, type, -1, 3);
      model.output("OUT_" + type, type, -1, 3);
      model.node("Identity", List.of("IN_" + type), List.of("OUT_" + type));
    }
    model.writeTo(file);
    return file;
  }
}
