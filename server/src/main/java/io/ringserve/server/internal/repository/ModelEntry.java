package io.ringserve.server.internal.repository;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the repository knows of one model: the versions serving, the state of every version it has
 * seen, and what was on disk when it last loaded them.
 *
 * <p>Threading: {@link #ready}, {@link #states} and {@link #modelError} are read by request threads
 * and written by the loader thread (and by drain threads, for a version's final state). The stamps
 * are the loader thread's alone.
 */
final class ModelEntry {
  final String name;

  /** The versions that take requests, by number; a request without a version takes the last. */
  final ConcurrentSkipListMap<Long, ServedModel> ready = new ConcurrentSkipListMap<>();

  /** Every version seen, with its state as the repository index reports it. */
  final ConcurrentSkipListMap<Long, VersionState> states = new ConcurrentSkipListMap<>();

  /** Why the model as a whole cannot load (its config, no version folder), or null. */
  volatile String modelError;

  // Loader thread only: what the loaded versions were loaded from, to tell what changed.
  String configKey;
  final Map<Long, Long> versionStamps = new HashMap<>();

  ModelEntry(String name) {
    this.name = name;
  }

  /** Why no version serves, for a request's error message; empty if nothing is known. */
  String reasonSuffix() {
    if (modelError != null) {
      return ": " + modelError;
    }
    for (Map.Entry<Long, VersionState> e : states.descendingMap().entrySet()) {
      VersionState s = e.getValue();
      if (!s.state().equals(VersionState.READY)) {
        return ": version "
            + e.getKey()
            + " is "
            + s.state()
            + (s.reason().isEmpty() ? "" : ", " + s.reason());
      }
    }
    return "";
  }

  /** Whether a load of this model failed and has not been fixed or unloaded since. */
  boolean hasFailure() {
    return modelError != null || states.values().stream().anyMatch(VersionState::failed);
  }

  /**
   * One version's state in Triton's words ({@code READY}, {@code LOADING}, {@code UNLOADING},
   * {@code UNAVAILABLE}) and why, if not ready.
   *
   * @param failed whether the version is UNAVAILABLE because its load failed (which keeps a
   *     strictly ready server unready), rather than because it was unloaded
   */
  record VersionState(String state, String reason, boolean failed) {
    static final String READY = "READY";
    static final String LOADING = "LOADING";
    static final String UNLOADING = "UNLOADING";
    static final String UNAVAILABLE = "UNAVAILABLE";

    static final VersionState READY_STATE = new VersionState(READY, "", false);
    static final VersionState LOADING_STATE = new VersionState(LOADING, "", false);
    static final VersionState UNLOADING_STATE = new VersionState(UNLOADING, "unloading", false);
    static final VersionState UNLOADED_STATE = new VersionState(UNAVAILABLE, "unloaded", false);

    static VersionState failedBecause(String reason) {
      return new VersionState(UNAVAILABLE, reason, true);
    }
  }
}
