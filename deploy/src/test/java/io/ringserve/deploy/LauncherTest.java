package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's launcher, {@code ./ringserve}, run from another folder than the checkout. */
class LauncherTest {
  @Test
  void shouldReadRelativePathsFromTheCallersFolder(@TempDir Path caller) throws Exception {
    Path launcher = DeployFiles.deployDir().resolveSibling("ringserve");
    Path log = caller.resolve("launcher.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                launcher.toString(),
                "serve",
                "--model-repository",
                "models-here",
                "--host=127.0.0.1",
                "--grpc-port=0",
                "--allow-http=false",
                "--allow-metrics=false")
            .directory(caller.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // The launcher runs the java on PATH: make it this test's own.
    Path javaBin = Path.of(System.getProperty("java.home"), "bin");
    builder.environment().merge("PATH", javaBin.toString(), (path, bin) -> bin + ":" + path);
    Process process = builder.start();
    try {
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), () -> read(log));
      assertNotEquals(0, process.exitValue(), () -> read(log));
      // Refused as missing where the caller stands, not in the checkout the launcher lives in.
      String text = read(log);
      assertTrue(
          text.contains(
              "the model repository "
                  + caller.toRealPath().resolve("models-here")
                  + " is not a folder or does not exist"),
          text);
    } finally {
      process.destroyForcibly();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
