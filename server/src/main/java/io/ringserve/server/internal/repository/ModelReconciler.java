package io.ringserve.server.internal.repository;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.internal.repository.ModelEntry.VersionState;
import io.ringserve.server.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Brings one model's served versions in line with its folder: loads new versions, reloads changed
 * ones beside the version serving, unloads those its policy no longer selects. A swap publishes the
 * new version first and only then retires the old one, which finishes every request it accepted
 * before it is closed and its native memory freed.
 *
 * <p>Threading: every method but {@link #awaitDrains} runs on the repository's one loader thread,
 * which serializes all changes to the models. Retiring versions drain on threads of their own, so
 * that a slow drain never delays the next load.
 */
final class ModelReconciler {
  private static final System.Logger LOG = System.getLogger(ModelReconciler.class.getName());

  private final Path root;
  private final VersionLoader loader;
  private final Duration drainLimit;
  private final Runnable onChange;
  private final ExecutorService drains =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ringserve-model-drain");
            t.setDaemon(true);
            return t;
          });
  private final Set<CompletableFuture<Void>> draining = ConcurrentHashMap.newKeySet();

  ModelReconciler(Path root, VersionLoader loader, Duration drainLimit, Runnable onChange) {
    this.root = root;
    this.loader = loader;
    this.drainLimit = drainLimit;
    this.onChange = onChange;
  }

  /**
   * Loads what changed in {@code entry}'s folder.
   *
   * @param override a config that replaces config.pbtxt, or null
   * @param retryFailed whether to try again a version whose last load failed though nothing on disk
   *     changed (an explicit load does; a poll waits for a change)
   * @return one line per failure, in Triton's wording; empty if everything selected serves
   */
  List<String> reconcile(ModelEntry entry, ModelConfig override, boolean retryFailed) {
    return reconcile(entry, root.resolve(entry.name), override, retryFailed);
  }

  /**
   * As {@link #reconcile(ModelEntry, ModelConfig, boolean)}, reading the model's files from {@code
   * modelDir} instead of its repository folder (the files a load request carried).
   */
  List<String> reconcile(
      ModelEntry entry, Path modelDir, ModelConfig override, boolean retryFailed) {
    String name = entry.name;
    if (!Files.isDirectory(modelDir)) {
      unloadAll(entry);
      return List.of("failed to load '" + name + "', failed to poll from model repository");
    }
    String configKey =
        override != null ? "override:" + override.hashCode() : DiskStamps.ofConfig(modelDir);
    boolean configChanged = !configKey.equals(entry.configKey);
    ModelConfig config;
    List<Long> selected;
    try {
      config = override != null ? override : ModelConfigs.read(modelDir);
      TreeSet<Long> onDisk = VersionPolicies.versionsOnDisk(modelDir);
      selected = VersionPolicies.select(config.getVersionPolicy(), onDisk);
      if (selected.isEmpty()) {
        throw new ModelLoadException(
            "no version folder (a positive integer) under "
                + modelDir
                + " that its version_policy selects");
      }
    } catch (ModelLoadException | IOException e) {
      String failure = "failed to load '" + name + "': " + e.getMessage();
      if (entry.ready.isEmpty()) {
        entry.modelError = e.getMessage();
        LOG.log(System.Logger.Level.ERROR, failure);
      } else {
        LOG.log(System.Logger.Level.ERROR, failure + "; the versions loaded before keep serving");
      }
      onChange.run();
      return List.of(failure);
    }
    if (configChanged) {
      VersionPolicies.warnAboutNonVersionFolders(name, modelDir);
    }
    entry.modelError = null;
    List<String> failures = new ArrayList<>();
    for (long version : selected) {
      long stamp = DiskStamps.ofTree(modelDir.resolve(Long.toString(version)));
      boolean unchanged =
          !configChanged && Long.valueOf(stamp).equals(entry.versionStamps.get(version));
      VersionState state = entry.states.get(version);
      boolean failed = state != null && state.failed();
      if (unchanged && (entry.ready.containsKey(version) || (failed && !retryFailed))) {
        continue;
      }
      String failure = loadVersion(entry, modelDir, version, config);
      if (failure != null) {
        failures.add(failure);
      }
      entry.versionStamps.put(version, stamp);
    }
    entry.configKey = configKey;
    for (Long version : List.copyOf(entry.states.keySet())) {
      if (!selected.contains(version)) {
        unloadVersion(entry, version);
      }
    }
    onChange.run();
    return failures;
  }

  /** Loads one version beside the one serving, then swaps; returns the failure, or null. */
  private String loadVersion(ModelEntry entry, Path modelDir, long version, ModelConfig config) {
    ServedModel previous = entry.ready.get(version);
    if (previous == null) {
      entry.states.put(version, VersionState.LOADING_STATE);
      onChange.run();
    }
    try {
      long started = System.nanoTime();
      ServedModel fresh = loader.load(entry.name, modelDir, version, config);
      entry.ready.put(version, fresh);
      entry.states.put(version, VersionState.READY_STATE);
      LOG.log(
          System.Logger.Level.INFO,
          "loaded model ''{0}'' version {1} in {2} ms{3}",
          entry.name,
          version,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          previous == null ? "" : "; the previous load of that version now drains");
      if (previous != null) {
        retire(entry, version, previous, false);
      }
      return null;
    } catch (ModelLoadException | RuntimeException | Error e) {
      // An Error fails this version alone; left uncaught it would leave it LOADING for good.
      String failure =
          "failed to load '" + entry.name + "' version " + version + ": " + e.getMessage();
      if (previous == null) {
        entry.states.put(version, VersionState.failedBecause(e.getMessage()));
        LOG.log(System.Logger.Level.ERROR, failure);
      } else {
        LOG.log(System.Logger.Level.ERROR, failure + "; the version loaded before keeps serving");
      }
      return failure;
    }
  }

  /** Takes every version of {@code entry} out of service; they drain, then close. */
  void unloadAll(ModelEntry entry) {
    entry.modelError = null;
    entry.configKey = null;
    for (Long version : List.copyOf(entry.states.keySet())) {
      unloadVersion(entry, version);
    }
    onChange.run();
  }

  private void unloadVersion(ModelEntry entry, long version) {
    entry.versionStamps.remove(version);
    ServedModel served = entry.ready.remove(version);
    if (served == null) {
      VersionState state = entry.states.get(version);
      if (state != null && !state.state().equals(VersionState.UNLOADING)) {
        entry.states.put(version, VersionState.UNLOADED_STATE);
      }
      return;
    }
    entry.states.put(version, VersionState.UNLOADING_STATE);
    LOG.log(System.Logger.Level.INFO, "unloading model ''{0}'' version {1}", entry.name, version);
    retire(entry, version, served, true);
  }

  /** Drains and closes {@code served} off the loader thread. */
  private void retire(ModelEntry entry, long version, ServedModel served, boolean unloading) {
    CompletableFuture<Void> drain =
        CompletableFuture.runAsync(
            () -> {
              try {
                served.retire(drainLimit);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "error closing model " + entry.name, e);
              }
              if (unloading) {
                entry.states.replace(
                    version, VersionState.UNLOADING_STATE, VersionState.UNLOADED_STATE);
                LOG.log(
                    System.Logger.Level.INFO,
                    "unloaded model ''{0}'' version {1}",
                    entry.name,
                    version);
              }
            },
            drains);
    draining.add(drain);
    // Registered after the add, so the removal runs after it even for a drain already done.
    drain.whenComplete(
        (ignored, failure) -> {
          draining.remove(drain);
          onChange.run();
        });
  }

  /** Waits (at most {@code limit}) for retiring versions to close, then stops the drain threads. */
  void awaitDrains(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (CompletableFuture<Void> f : List.copyOf(draining)) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // Past the limit or failed: shutdown goes on; the log has said why.
      }
    }
    drains.shutdown();
  }

  /** Versions of every model still draining (for tests and shutdown). */
  int drainingCount() {
    return draining.size();
  }
}
