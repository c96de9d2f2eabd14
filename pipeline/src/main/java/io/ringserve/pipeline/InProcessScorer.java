package io.ringserve.pipeline;

import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A model of a Triton-layout repository loaded in this process, with the server's own repository,
 * scheduler (ring buffer, dynamic batcher, workers) and engines: requests go to the model's
 * scheduler with no RPC and no copy of the tensors.
 *
 * <p>Only the named model is loaded: the repository is viewed through a temporary folder that links
 * to that model's folder alone, so that a repository of many models costs the load of one.
 *
 * <p>Thread-safe, as the scheduler is.
 */
public final class InProcessScorer implements Scorer {
  private final ModelRepository repository;
  private final ServedModel served;
  private final ModelSignature signature;
  private final Path view;

  private InProcessScorer(ModelRepository repository, ServedModel served, Path view) {
    this.repository = repository;
    this.served = served;
    this.view = view;
    this.signature = ModelSignature.of(served.config(), served.versionString());
  }

  /**
   * Loads {@code model} (the highest ready version if {@code version} is empty) from {@code
   * repositoryDir}.
   *
   * @throws IOException if the repository cannot be read
   * @throws IllegalArgumentException naming the model when it is missing or fails to load
   */
  public static InProcessScorer load(
      Path repositoryDir,
      String model,
      String version,
      BackendOptions engines,
      ProcessThreadPools pools)
      throws IOException {
    Path modelDir = repositoryDir.resolve(model);
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalArgumentException(
          "model '" + model + "' is not in the model repository " + repositoryDir);
    }
    Path view = Files.createTempDirectory("ringserve-score-");
    Path root = repositoryDir;
    try {
      Files.createSymbolicLink(view.resolve(model), modelDir.toAbsolutePath());
      root = view;
    } catch (IOException | UnsupportedOperationException noLinks) {
      // Without symbolic links, load the whole repository: slower, same result.
    }
    ModelRepository repository = new ModelRepository(root, Backends.all(pools), engines);
    try {
      repository.loadAll();
      ServedModel served = repository.resolve(model, version);
      return new InProcessScorer(repository, served, view);
    } catch (IOException | RuntimeException e) {
      repository.close();
      deleteView(view);
      if (e instanceof RuntimeException && !(e instanceof IllegalArgumentException)) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      throw e;
    }
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
    CompletableFuture<List<Tensor>> result = new CompletableFuture<>();
    InferenceRequest request =
        InferenceRequest.builder()
            .inputs(inputs)
            .callback(
                new InferenceCallback() {
                  @Override
                  public void onSuccess(List<Tensor> outputs) {
                    result.complete(outputs);
                  }

                  @Override
                  public void onFailure(InferenceException failure) {
                    result.completeExceptionally(failure);
                  }
                })
            .build();
    served.scheduler().submit(request);
    return result;
  }

  @Override
  public String describe() {
    return "model '" + served.name() + "' version " + served.versionString() + " in-process";
  }

  @Override
  public void close() {
    repository.close(Duration.ofSeconds(5));
    deleteView(view);
  }

  private static void deleteView(Path view) {
    try (Stream<Path> files = Files.walk(view)) {
      // Deletes the link, never what it points to: walk does not follow links.
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary folder left behind costs nothing but its name.
    }
  }
}
