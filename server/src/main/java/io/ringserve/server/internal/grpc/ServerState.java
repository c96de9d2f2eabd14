package io.ringserve.server.internal.grpc;

import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether the server is live and ready, as ServerLive, ServerReady and the health service report
 * it. Live from start until shutdown begins; ready once the repository has loaded and, under strict
 * readiness (Triton's default), only if every model loaded.
 *
 * <p>Thread-safe: flags are volatile, written by the lifecycle thread and read by handlers.
 */
public final class ServerState {
  /** The name ServerMetadata reports. */
  public static final String SERVER_NAME = "ringserve";

  /** The protocol extensions ServerMetadata reports, with Triton's names. */
  public static final List<String> EXTENSIONS =
      List.of(
          "model_repository",
          "model_repository(unload_dependents)",
          "model_configuration",
          "statistics",
          "schedule_policy",
          "binary_tensor_data",
          "logging");

  private final ModelRepository repository;
  private final boolean strictReadiness;
  private volatile boolean live = true;
  private volatile boolean loaded;
  private volatile boolean draining;

  public ServerState(ModelRepository repository, boolean strictReadiness) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.strictReadiness = strictReadiness;
  }

  /** The server's version, from the jar manifest when packaged. */
  public static String version() {
    String version = ServerState.class.getPackage().getImplementationVersion();
    return version == null ? "0.1.0-SNAPSHOT" : version;
  }

  public boolean isLive() {
    return live;
  }

  /**
   * Live, loaded, not draining, and (under strict readiness) every model loaded and none of their
   * schedulers failed ({@link io.ringserve.batching.ModelScheduler#failure()}).
   */
  public boolean isReady() {
    return live
        && loaded
        && !draining
        && (!strictReadiness || (repository.allLoaded() && failedModels().isEmpty()));
  }

  /** Whether {@code name}/{@code version} is served and its scheduler has not failed. */
  public boolean isModelReady(String name, String version) {
    if (!live || !repository.isReady(name, version)) {
      return false;
    }
    try {
      return repository.resolve(name, version).scheduler().failure() == null;
    } catch (RuntimeException unloadedMeanwhile) {
      return false;
    }
  }

  /** "model version: reason" for each served model whose scheduler failed; empty if none. */
  public List<String> failedModels() {
    List<String> failed = new ArrayList<>();
    for (ServedModel model : repository.served()) {
      String failure = model.scheduler().failure();
      if (failure != null) {
        failed.add(model.name() + " " + model.versionString() + ": " + failure);
      }
    }
    return failed;
  }

  /** The repository has finished loading. */
  public void markLoaded() {
    loaded = true;
  }

  /**
   * Shutdown has been asked for: not ready from now on, so that load balancers stop sending, while
   * the server stays live and keeps serving what still arrives.
   */
  public void markDraining() {
    draining = true;
  }

  /** Whether {@link #markDraining()} was called. */
  public boolean isDraining() {
    return draining;
  }

  /** Shutdown has begun: not live, not ready, new requests are refused. */
  public void markStopping() {
    live = false;
  }
}
