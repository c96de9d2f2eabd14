package io.ringserve.server.cli;

import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.examples.ExampleModels;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the bundled example models into a folder, for users to inspect and copy. */
@Command(
    name = "examples",
    mixinStandardHelpOptions = true,
    description = {
      "Write the example model repository (simple, simple_string, simple_identity, simple_int8,"
          + " mlp, simple_onnx, mlp_onnx, fraud) to a folder.",
      "Each model is a Triton-layout folder: config.pbtxt and 1/model.savedmodel/ (or 1/model.onnx)."
    })
final class ExamplesCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder to write the models into (created if missing).")
  Path out;

  @Override
  public Integer call() throws Exception {
    // This process serves nothing, so the export sessions' thread settings do not matter.
    ExampleModels.writeTo(out, new ProcessThreadPools(BackendOptions.serverDefaults()));
    System.out.println("wrote example models to " + out.toAbsolutePath());
    return 0;
  }
}
