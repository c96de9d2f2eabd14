package io.ringserve.server.internal.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelLoadResponse;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.RepositoryModelUnloadResponse;
import inference.ModelConfigOuterClass.ModelConfig;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.RequestModelFiles;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code RepositoryModelLoad} and {@code RepositoryModelUnload}, as Triton answers them: refused
 * UNAVAILABLE outside explicit mode; a load answers once the model serves (or failed, INTERNAL,
 * {@code failed to load '<name>'...}), an unload once the model takes no new requests.
 *
 * <p>Nothing blocks the calling (Netty) thread: the repository's loader thread does the work and
 * answers the call when done. Stateless and thread-safe.
 */
final class RepositoryControl {
  /** Triton's parameter holding a JSON {@code ModelConfig} that replaces config.pbtxt. */
  static final String CONFIG_PARAMETER = "config";

  /** Triton's prefix of parameters carrying model files ({@code file:<version>/<path>}). */
  static final String FILE_PARAMETER_PREFIX = "file:";

  private RepositoryControl() {}

  static void load(
      ModelRepository repository,
      RepositoryModelLoadRequest request,
      StreamObserver<RepositoryModelLoadResponse> response) {
    String name = request.getModelName();
    CompletableFuture<Void> done;
    try {
      ModelConfig override = override(name, request.getParametersMap());
      RequestModelFiles files = files(name, request.getParametersMap());
      try {
        done = repository.load(name, override, files);
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      }
    } catch (RuntimeException e) {
      response.onError(Statuses.toStatus(e, "failed to load '" + name + "'"));
      return;
    }
    done.whenComplete(
        (ignored, failure) -> {
          if (failure == null) {
            response.onNext(RepositoryModelLoadResponse.getDefaultInstance());
            response.onCompleted();
          } else {
            response.onError(Statuses.toStatus(unwrap(failure), "failed to load '" + name + "'"));
          }
        });
  }

  static void unload(
      ModelRepository repository,
      RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> response) {
    // unload_dependents is accepted: RingServe has no ensembles, so a model has no dependents.
    String name = request.getModelName();
    CompletableFuture<Void> done;
    try {
      done = repository.unload(name);
    } catch (RuntimeException e) {
      response.onError(Statuses.toStatus(e, "failed to unload '" + name + "'"));
      return;
    }
    done.whenComplete(
        (ignored, failure) -> {
          if (failure == null) {
            response.onNext(RepositoryModelUnloadResponse.getDefaultInstance());
            response.onCompleted();
          } else {
            response.onError(Statuses.toStatus(unwrap(failure), "failed to unload '" + name + "'"));
          }
        });
  }

  /**
   * The JSON config a load request carries, or null.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for a config that does not parse or
   *     names another model
   */
  static ModelConfig override(String name, Map<String, ModelRepositoryParameter> parameters) {
    ModelRepositoryParameter config = parameters.get(CONFIG_PARAMETER);
    if (config == null) {
      return null;
    }
    String json =
        config.hasBytesParam() ? config.getBytesParam().toStringUtf8() : config.getStringParam();
    ModelConfig.Builder b = ModelConfig.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "failed to load '" + name + "', failed to parse the model config: " + e.getMessage())
          .asRuntimeException();
    }
    if (!b.getName().isEmpty() && !b.getName().equals(name)) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "failed to load '"
                  + name
                  + "': the config override names model '"
                  + b.getName()
                  + "'")
          .asRuntimeException();
    }
    return b.build();
  }

  /**
   * The model files a load request carries in {@code file:<path>} parameters ({@code bytes_param},
   * as Triton's clients send them; the REST front end decodes Triton's base64 into the same).
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for a file parameter that is not bytes
   *     or whose path leaves the model directory
   */
  static RequestModelFiles files(String name, Map<String, ModelRepositoryParameter> parameters) {
    Map<String, byte[]> files = new TreeMap<>();
    for (Map.Entry<String, ModelRepositoryParameter> p : parameters.entrySet()) {
      if (!p.getKey().startsWith(FILE_PARAMETER_PREFIX)) {
        continue;
      }
      if (!p.getValue().hasBytesParam()) {
        throw Status.INVALID_ARGUMENT
            .withDescription(
                "failed to load '"
                    + name
                    + "': file parameter '"
                    + p.getKey()
                    + "' must hold the file's content as bytes_param")
            .asRuntimeException();
      }
      files.put(
          p.getKey().substring(FILE_PARAMETER_PREFIX.length()),
          p.getValue().getBytesParam().toByteArray());
    }
    try {
      return RequestModelFiles.of(name, files);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
