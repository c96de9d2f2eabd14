package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelVersionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds a model's version folders and picks the ones its {@code version_policy} serves, with
 * Triton's rules: a version folder's name is a positive integer without leading zeros; other
 * folders are ignored; by default only the highest version is served.
 */
final class VersionPolicies {
  private VersionPolicies() {}

  /** The version numbers present under {@code modelDir}, ascending. */
  static TreeSet<Long> versionsOnDisk(Path modelDir) throws IOException {
    TreeSet<Long> versions = new TreeSet<>();
    try (Stream<Path> children = Files.list(modelDir)) {
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(VersionPolicies::isVersionName)
          .forEach(name -> versions.add(Long.parseLong(name)));
    }
    return versions;
  }

  /**
   * Logs one WARNING per folder of {@code modelDir} that is not a version number (hidden folders
   * and Triton's {@code warmup} folder aside), so that a mistyped version is not ignored silently.
   */
  static void warnAboutNonVersionFolders(String model, Path modelDir) {
    try (Stream<Path> children = Files.list(modelDir)) {
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !isVersionName(n) && !n.startsWith(".") && !n.equals("warmup"))
          .sorted()
          .forEach(
              n ->
                  System.getLogger(VersionPolicies.class.getName())
                      .log(
                          System.Logger.Level.WARNING,
                          "model ''{0}'': folder ''{1}'' is not a version number (a positive"
                              + " integer without leading zeros) and is ignored",
                          model,
                          n));
    } catch (IOException e) {
      // The version scan that follows reports an unreadable folder.
    }
  }

  static boolean isVersionName(String name) {
    return name.matches("[1-9][0-9]{0,17}");
  }

  /** The versions {@code policy} selects from {@code onDisk}, ascending. */
  static List<Long> select(ModelVersionPolicy policy, TreeSet<Long> onDisk) {
    return switch (policy.getPolicyChoiceCase()) {
      case ALL -> List.copyOf(onDisk);
      case SPECIFIC ->
          onDisk.stream().filter(v -> policy.getSpecific().getVersionsList().contains(v)).toList();
      case LATEST, POLICYCHOICE_NOT_SET -> {
        int keep = Math.max(1, policy.getLatest().getNumVersions());
        yield onDisk.descendingSet().stream().limit(keep).sorted().toList();
      }
    };
  }
}
