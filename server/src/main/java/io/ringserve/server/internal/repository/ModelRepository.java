package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelSchedulers;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.ModelNotFoundException;
import io.ringserve.server.model.ModelUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The models of one repository folder laid out as Triton lays them out ({@code
 * <repo>/<model>/config.pbtxt}, {@code <repo>/<model>/<version>/<model file>}): finds them, loads
 * the versions their policy selects, and hands out the {@link ServedModel} a request names.
 *
 * <p>A model that fails to load is kept in the index with its reason and a log line naming the
 * file; the others still serve. Thread-safe: lookups are lock-free reads of a concurrent map filled
 * at load time.
 */
public final class ModelRepository implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());

  private final Path root;
  private final List<Backend> backends;
  private final BackendOptions options;
  private final Map<String, ModelEntry> models = new ConcurrentSkipListMap<>();

  public ModelRepository(Path root, List<Backend> backends, BackendOptions options) {
    this.root = Objects.requireNonNull(root, "root");
    this.backends = List.copyOf(backends);
    this.options = Objects.requireNonNull(options, "options");
    if (this.backends.isEmpty()) {
      throw new IllegalArgumentException("backends must not be empty");
    }
  }

  /** The repository folder. */
  public Path root() {
    return root;
  }

  /**
   * Loads every model folder of the repository. Failures are recorded per model, not thrown.
   *
   * @throws IOException if the repository folder itself cannot be listed
   */
  public void loadAll() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("model repository " + root + " is not a directory");
    }
    List<Path> modelDirs;
    try (Stream<Path> children = Files.list(root)) {
      modelDirs = children.filter(Files::isDirectory).sorted().toList();
    }
    for (Path modelDir : modelDirs) {
      String name = modelDir.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      models.put(name, load(name, modelDir));
    }
  }

  private ModelEntry load(String name, Path modelDir) {
    ModelEntry entry = new ModelEntry(name);
    List<Long> versions;
    ModelConfig fileConfig;
    try {
      fileConfig = ModelConfigs.read(modelDir);
      versions =
          VersionPolicies.select(
              fileConfig.getVersionPolicy(), VersionPolicies.versionsOnDisk(modelDir));
      if (versions.isEmpty()) {
        throw new ModelLoadException(
            "model '"
                + name
                + "' has no version folder (a positive integer) under "
                + modelDir
                + " that its version_policy selects");
      }
    } catch (ModelLoadException | IOException e) {
      entry.modelError = e.getMessage();
      LOG.log(System.Logger.Level.ERROR, "failed to load model ''{0}'': {1}", name, e.getMessage());
      return entry;
    }
    for (long version : versions) {
      try {
        entry.ready.put(version, loadVersion(name, modelDir, version, fileConfig));
        LOG.log(System.Logger.Level.INFO, "loaded model ''{0}'' version {1}", name, version);
      } catch (ModelLoadException | RuntimeException e) {
        entry.failed.put(version, e.getMessage());
        LOG.log(
            System.Logger.Level.ERROR,
            "failed to load model ''{0}'' version {1}: {2}",
            name,
            version,
            e.getMessage());
      }
    }
    return entry;
  }

  private ServedModel loadVersion(String name, Path modelDir, long version, ModelConfig fileConfig)
      throws ModelLoadException {
    Path versionDir = modelDir.resolve(Long.toString(version));
    Backend backend = backendFor(name, fileConfig, versionDir);
    String fileName =
        fileConfig.getDefaultModelFilename().isEmpty()
            ? backend.defaultModelFilename()
            : fileConfig.getDefaultModelFilename();
    Path modelPath = versionDir.resolve(fileName);
    if (!Files.exists(modelPath)) {
      throw new ModelLoadException(
          "model '" + name + "' version " + version + ": " + modelPath + " does not exist");
    }
    LoadedModel loaded = backend.load(modelPath, fileConfig, options);
    List<ModelRunner> runners = new ArrayList<>();
    try {
      ModelConfig config =
          ModelConfigs.complete(
              name,
              fileConfig,
              backend.platform(),
              backend.name(),
              loaded.inputs(),
              loaded.outputs());
      BatchPolicy policy = ModelConfigs.batchPolicy(config);
      for (int i = 0; i < ModelConfigs.instanceCount(config); i++) {
        runners.add(loaded.newRunner());
      }
      ModelScheduler scheduler = ModelSchedulers.start(name + ":" + version, policy, runners);
      return new ServedModel(name, version, config, loaded, scheduler);
    } catch (ModelLoadException | RuntimeException e) {
      runners.forEach(ModelRepository::closeQuietly);
      loaded.close();
      throw e;
    }
  }

  private static void closeQuietly(ModelRunner runner) {
    try {
      runner.close();
    } catch (Exception ignored) {
      // Already failing the load; the first error is the one worth reporting.
    }
  }

  private Backend backendFor(String name, ModelConfig config, Path versionDir)
      throws ModelLoadException {
    for (Backend backend : backends) {
      if (!config.getPlatform().isEmpty() && config.getPlatform().equals(backend.platform())) {
        return backend;
      }
      if (!config.getBackend().isEmpty() && config.getBackend().equals(backend.name())) {
        return backend;
      }
    }
    if (!config.getPlatform().isEmpty() || !config.getBackend().isEmpty()) {
      throw new ModelLoadException(
          "model '"
              + name
              + "' asks for platform '"
              + config.getPlatform()
              + "' backend '"
              + config.getBackend()
              + "', which this server does not have");
    }
    for (Backend backend : backends) {
      String fileName =
          config.getDefaultModelFilename().isEmpty()
              ? backend.defaultModelFilename()
              : config.getDefaultModelFilename();
      if (Files.exists(versionDir.resolve(fileName))) {
        return backend;
      }
    }
    throw new ModelLoadException(
        "model '"
            + name
            + "': "
            + versionDir
            + " holds no model file this server can load ("
            + backends.stream().map(Backend::defaultModelFilename).toList()
            + ")");
  }

  /**
   * The served version a request names.
   *
   * @param version a version number, or empty for the highest ready version
   * @throws ModelNotFoundException for an unknown model or version (Triton's wording)
   * @throws ModelUnavailableException for a known model or version that failed to load
   */
  public ServedModel resolve(String name, String version) {
    ModelEntry entry = models.get(name);
    if (entry == null) {
      throw new ModelNotFoundException("Request for unknown model: '" + name + "' is not found");
    }
    if (version == null || version.isEmpty()) {
      Map.Entry<Long, ServedModel> latest = entry.ready.lastEntry();
      if (latest == null) {
        throw new ModelUnavailableException(
            "Request for unknown model: '"
                + name
                + "' has no available versions"
                + entry.reasonSuffix());
      }
      return latest.getValue();
    }
    long number = parseVersion(version);
    ServedModel served = number > 0 ? entry.ready.get(number) : null;
    if (served != null) {
      return served;
    }
    String failure = number > 0 ? entry.failed.get(number) : null;
    if (failure != null) {
      throw new ModelUnavailableException(
          "Request for unknown model: '"
              + name
              + "' version "
              + version
              + " is not ready: "
              + failure);
    }
    throw new ModelNotFoundException(
        "Request for unknown model: '" + name + "' version " + version + " is not found");
  }

  private static long parseVersion(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  /** Whether {@code name} (and {@code version}, if not empty) is loaded and serving. */
  public boolean isReady(String name, String version) {
    try {
      resolve(name, version);
      return true;
    } catch (ModelNotFoundException | ModelUnavailableException notReady) {
      return false;
    }
  }

  /** Every served model version, ordered by name then version. */
  public List<ServedModel> served() {
    List<ServedModel> all = new ArrayList<>();
    models.values().forEach(e -> all.addAll(e.ready.values()));
    return all;
  }

  /** The versions of {@code name} that are serving, ascending; empty if the model is unknown. */
  public Collection<ServedModel> servedVersions(String name) {
    ModelEntry entry = models.get(name);
    return entry == null ? List.of() : List.copyOf(entry.ready.values());
  }

  /** One line per model version (and per model that failed before its versions were known). */
  public List<IndexEntry> index() {
    List<IndexEntry> index = new ArrayList<>();
    for (ModelEntry entry : models.values()) {
      if (entry.modelError != null) {
        index.add(new IndexEntry(entry.name, "", IndexEntry.UNAVAILABLE, entry.modelError));
        continue;
      }
      TreeMap<Long, IndexEntry> versions = new TreeMap<>();
      entry
          .ready
          .keySet()
          .forEach(
              v -> versions.put(v, new IndexEntry(entry.name, v.toString(), IndexEntry.READY, "")));
      entry.failed.forEach(
          (v, reason) ->
              versions.put(
                  v, new IndexEntry(entry.name, v.toString(), IndexEntry.UNAVAILABLE, reason)));
      index.addAll(versions.values());
    }
    return index;
  }

  /** True if every model found loaded every version it selects. */
  public boolean allLoaded() {
    return models.values().stream().allMatch(e -> e.modelError == null && e.failed.isEmpty());
  }

  /**
   * Stops every model's scheduler, letting queued work finish within {@code grace}, and frees them.
   */
  public void close(Duration grace) {
    for (ModelEntry entry : models.values()) {
      for (ServedModel served : entry.ready.values()) {
        try {
          served.close(grace);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "error closing model " + served.name(), e);
        }
      }
      entry.ready.clear();
    }
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /** A model's line in the repository index. */
  public record IndexEntry(String name, String version, String state, String reason) {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";
  }

  /** What the repository knows of one model folder. */
  private static final class ModelEntry {
    final String name;
    final ConcurrentSkipListMap<Long, ServedModel> ready = new ConcurrentSkipListMap<>();
    final Map<Long, String> failed = new ConcurrentSkipListMap<>();
    volatile String modelError;

    ModelEntry(String name) {
      this.name = name;
    }

    String reasonSuffix() {
      if (modelError != null) {
        return ": " + modelError;
      }
      return failed.isEmpty() ? "" : ": " + failed.values().iterator().next();
    }
  }
}
