package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.ModelControlMode;
import io.ringserve.server.QueuedBytesLimits;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The models of one repository folder laid out as Triton lays them out ({@code
 * <repo>/<model>/config.pbtxt}, {@code <repo>/<model>/<version>/<model file>}): finds them, loads
 * the versions their policy selects, keeps them in line with the folder as the {@link
 * ModelControlMode} says, and hands out the {@link ServedModel} a request names.
 *
 * <p>A version moves LOADING, then (warm) READY, then UNLOADING, then UNAVAILABLE ("unloaded"); one
 * that fails to load is UNAVAILABLE with its reason, and the others still serve. A new load of a
 * version serves beside the old one until it is ready; the old one then drains and closes.
 *
 * <p>Threading: lookups are lock-free reads of concurrent maps. Every change (start, poll, load,
 * unload) runs on one loader thread, so changes never race each other and a load, however slow,
 * takes at most one core from serving.
 */
public final class ModelRepository implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());

  /** How many times a request resolves again when the version it found has just retired. */
  private static final int RESOLVE_ATTEMPTS = 3;

  private final Path root;
  private final ModelControlMode mode;
  private final Map<String, ModelEntry> models = new ConcurrentSkipListMap<>();
  private final ModelReconciler reconciler;
  private final ScheduledExecutorService loaderThread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ringserve-model-loader");
            t.setDaemon(true);
            // Loading competes with serving for CPU; serving comes first.
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
          });
  private volatile Runnable listener = () -> {};

  /** A repository that loads everything at start and never changes ({@code none} mode). */
  public ModelRepository(Path root, List<Backend> backends, BackendOptions options) {
    this(root, backends, options, ModelControlMode.NONE, Duration.ofSeconds(30));
  }

  /**
   * @param drainLimit how long a retiring version may take to answer the requests it accepted
   */
  public ModelRepository(
      Path root,
      List<Backend> backends,
      BackendOptions options,
      ModelControlMode mode,
      Duration drainLimit) {
    this(root, backends, options, mode, drainLimit, QueuedBytesLimits.defaults());
  }

  /**
   * @param drainLimit how long a retiring version may take to answer the requests it accepted
   * @param queuedBytes the bytes of input tensors accepted requests may hold, per version and in
   *     all
   */
  public ModelRepository(
      Path root,
      List<Backend> backends,
      BackendOptions options,
      ModelControlMode mode,
      Duration drainLimit,
      QueuedBytesLimits queuedBytes) {
    this.root = Objects.requireNonNull(root, "root");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.reconciler =
        new ModelReconciler(
            root,
            new VersionLoader(
                backends,
                Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(queuedBytes, "queuedBytes")),
            Objects.requireNonNull(drainLimit, "drainLimit"),
            () -> listener.run());
  }

  /** The repository folder. */
  public Path root() {
    return root;
  }

  /** The control mode. */
  public ModelControlMode mode() {
    return mode;
  }

  /** Called (on the loader or a drain thread) after any model's state changed. */
  public void onChange(Runnable listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Loads every model folder of the repository, and blocks until done. Failures are recorded per
   * model, not thrown.
   *
   * @return one line per failure, naming the model and why
   * @throws IOException if the repository folder itself cannot be listed
   */
  public List<String> loadAll() throws IOException {
    return loadAtStart(Set.of("*"));
  }

  /**
   * Loads the named models ({@code *} for all) and blocks until done.
   *
   * @return one line per failure, naming the model and why
   * @throws IOException if the repository folder itself cannot be listed
   */
  public List<String> loadAtStart(Set<String> names) throws IOException {
    List<String> folders = modelFolders();
    List<String> chosen = names.contains("*") ? folders : names.stream().sorted().toList();
    return onLoader(
        () -> {
          List<String> failures = new ArrayList<>();
          for (String name : chosen) {
            failures.addAll(reconcile(name, null, true));
          }
          return failures;
        });
  }

  /**
   * Starts looking at the folder every {@code interval} ({@code poll} mode): new, changed and
   * removed models and versions are loaded, reloaded and unloaded.
   */
  public void startPolling(Duration interval) {
    long millis = Math.max(1, interval.toMillis());
    loaderThread.scheduleWithFixedDelay(this::pollOnce, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void pollOnce() {
    try {
      Set<String> names = new TreeSet<>(modelFolders());
      names.addAll(models.keySet());
      for (String name : names) {
        ModelEntry entry = models.get(name);
        if (!Files.isDirectory(root.resolve(name))
            && entry != null
            && entry.ready.isEmpty()
            && reconciler.drainingCount() == 0) {
          models.remove(name);
          continue;
        }
        reconcile(name, null, false);
      }
    } catch (Throwable e) {
      // Whatever it is: a poll that throws would cancel every later poll, silently.
      LOG.log(System.Logger.Level.ERROR, "polling the model repository " + root + " failed", e);
    }
  }

  /**
   * Loads or reloads {@code name} ({@code RepositoryModelLoad}): versions that are new or changed
   * on disk, or all of them under a new config, load beside those serving and replace them once
   * ready. Completes when done, exceptionally with a {@link ModelLoadException} in Triton's
   * wording; a failed reload leaves the version serving before in place.
   *
   * @param override a config that replaces config.pbtxt, or null
   * @throws ModelUnavailableException outside explicit mode, as Triton answers
   */
  public CompletableFuture<Void> load(String name, ModelConfig override) {
    return load(name, override, RequestModelFiles.of(name, Map.of()));
  }

  /**
   * As {@link #load(String, ModelConfig)}, from the model files a request carried instead of the
   * model's repository folder (Triton's {@code file:} parameters); they need an override config.
   * The files are deleted once the load is done; a later load without files reads the repository
   * again.
   *
   * @throws ModelUnavailableException outside explicit mode, as Triton answers
   * @throws IllegalArgumentException for files without an override config
   */
  public CompletableFuture<Void> load(String name, ModelConfig override, RequestModelFiles files) {
    requireExplicit();
    if (!files.isEmpty() && override == null) {
      throw new IllegalArgumentException(
          "failed to load '"
              + name
              + "': model files in 'file:' parameters need the model's config in the 'config'"
              + " parameter");
    }
    return CompletableFuture.supplyAsync(
            () -> {
              if (files.isEmpty()) {
                return reconcile(name, override, true);
              }
              try (files) {
                ModelEntry entry = models.computeIfAbsent(name, ModelEntry::new);
                List<String> failures = reconciler.reconcile(entry, files.write(), override, true);
                forgetIfEmpty(entry);
                return failures;
              }
            },
            loaderThread)
        .thenApply(
            failures -> {
              if (!failures.isEmpty()) {
                throw new CompletionException(new ModelLoadException(String.join("; ", failures)));
              }
              return null;
            });
  }

  /**
   * Unloads every version of {@code name} ({@code RepositoryModelUnload}): completes once none
   * takes new requests; each finishes what it accepted, then closes, in the background.
   *
   * @throws ModelUnavailableException outside explicit mode, as Triton answers
   */
  public CompletableFuture<Void> unload(String name) {
    requireExplicit();
    return CompletableFuture.runAsync(
        () -> {
          ModelEntry entry = models.get(name);
          if (entry != null) {
            reconciler.unloadAll(entry);
          }
        },
        loaderThread);
  }

  private boolean isModelFolderName(String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return false;
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      return false;
    }
    Path folder = root.resolve(name).normalize();
    return root.normalize().equals(folder.getParent());
  }

  private void requireExplicit() {
    if (mode != ModelControlMode.EXPLICIT) {
      // Triton's words, in every mode but explicit.
      throw new ModelUnavailableException(
          "explicit model load / unload is not allowed if polling is enabled");
    }
  }

  private List<String> reconcile(String name, ModelConfig override, boolean retryFailed) {
    if (!isModelFolderName(name)) {
      // A name from a request must not reach outside the repository ("..", "a/b", ""). The
      // client's message is scrubbed at the edge (ClientMessages), long names truncated there.
      return List.of("failed to load '" + name + "', no such model in the repository");
    }
    ModelEntry entry = models.computeIfAbsent(name, ModelEntry::new);
    List<String> failures = reconciler.reconcile(entry, override, retryFailed);
    forgetIfEmpty(entry);
    return failures;
  }

  private void forgetIfEmpty(ModelEntry entry) {
    if (entry.states.isEmpty() && entry.modelError == null && entry.ready.isEmpty()) {
      models.remove(entry.name, entry);
    }
  }

  private List<String> modelFolders() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("model repository " + root + " is not a directory");
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  private <T> T onLoader(Callable<T> task) throws IOException {
    try {
      return loaderThread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while loading the model repository", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * The served version a request names, admitted: the caller must {@link ServedModel#release()} it
   * once the request is answered. A version that retires between the lookup and the admission is
   * looked up again, and the version that replaced it found.
   *
   * @throws ModelNotFoundException for an unknown model or version (Triton's wording)
   * @throws ModelUnavailableException for a known model or version that cannot serve
   */
  public ServedModel acquire(String name, String version) {
    for (int attempt = 0; attempt < RESOLVE_ATTEMPTS; attempt++) {
      ServedModel served = resolve(name, version);
      if (served.tryAcquire()) {
        return served;
      }
    }
    throw new ModelUnavailableException(
        "Request for model '" + name + "' found only versions that are unloading; retry");
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
    ModelEntry.VersionState state = number > 0 ? entry.states.get(number) : null;
    if (state != null) {
      throw new ModelUnavailableException(
          "Request for unknown model: '"
              + name
              + "' version "
              + version
              + " is not ready: "
              + state.state()
              + (state.reason().isEmpty() ? "" : ", " + state.reason()));
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

  /**
   * One line per model version (and per model that failed before its versions were known). In
   * explicit mode, model folders not loaded are listed too, with no version and no state, as Triton
   * lists them.
   */
  public List<IndexEntry> index() {
    Map<String, List<IndexEntry>> byModel = new TreeMap<>();
    for (ModelEntry entry : models.values()) {
      List<IndexEntry> lines = new ArrayList<>();
      if (entry.modelError != null) {
        lines.add(new IndexEntry(entry.name, "", IndexEntry.UNAVAILABLE, entry.modelError));
      }
      entry.states.forEach(
          (v, s) -> lines.add(new IndexEntry(entry.name, v.toString(), s.state(), s.reason())));
      byModel.put(entry.name, lines);
    }
    if (mode == ModelControlMode.EXPLICIT) {
      try {
        for (String folder : modelFolders()) {
          byModel.computeIfAbsent(folder, f -> List.of(new IndexEntry(f, "", "", "")));
        }
      } catch (IOException e) {
        // The index still lists what is known; the folder's trouble is logged by the loads.
      }
    }
    List<IndexEntry> index = new ArrayList<>();
    byModel.values().forEach(index::addAll);
    return index;
  }

  /** True if no model's load has failed without being fixed or unloaded since. */
  public boolean allLoaded() {
    return models.values().stream().noneMatch(ModelEntry::hasFailure);
  }

  /**
   * Stops changing models, then stops every model's scheduler, letting queued work finish within
   * {@code grace}, and frees them.
   */
  public void close(Duration grace) {
    loaderThread.shutdownNow();
    try {
      loaderThread.awaitTermination(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
    reconciler.awaitDrains(grace.plusSeconds(1));
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /** A model's line in the repository index. */
  public record IndexEntry(String name, String version, String state, String reason) {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    public static final String LOADING = "LOADING";
    public static final String UNLOADING = "UNLOADING";
  }
}
