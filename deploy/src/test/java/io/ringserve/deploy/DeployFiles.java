package io.ringserve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the files under test are: the chart, the KServe manifests, the image's entrypoint, and the
 * server jar the entrypoint runs. Maven passes the module's folder; run from an IDE, the working
 * directory is taken as that folder.
 */
final class DeployFiles {
  private DeployFiles() {}

  static Path deployDir() {
    return Path.of(System.getProperty("ringserve.deploy.dir", ".")).toAbsolutePath().normalize();
  }

  static Path chart() {
    return deployDir().resolve("helm/ringserve");
  }

  static Path kserve(String file) {
    return deployDir().resolve("kserve").resolve(file);
  }

  static Path entrypoint() {
    return deployDir().resolve("docker/entrypoint.sh");
  }

  /**
   * The folder of {@code ringserve-server.jar} and its {@code lib/}: what the image holds at {@code
   * /opt/ringserve}.
   *
   * @throws IllegalStateException when the server has not been packaged
   */
  static Path serverHome() {
    Path home =
        Path.of(
                System.getProperty(
                    "ringserve.server.home", deployDir().resolve("../server/target").toString()))
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(home.resolve("ringserve-server.jar"))) {
      throw new IllegalStateException(
          "no "
              + home.resolve("ringserve-server.jar")
              + ": package the server first (./mvnw -B -pl deploy -am verify builds it)");
    }
    return home;
  }
}
