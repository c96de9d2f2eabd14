package io.ringserve.client.cli;

import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import inference.GrpcService.ServerMetadataResponse;
import io.ringserve.client.RingServeClient;
import io.ringserve.client.RingServeException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The commands of {@code ringserve-infer} that ask a server for its state instead of running an
 * inference: {@code health} (a probe: exit 0 only when live and ready), {@code metadata} (the
 * server's or a model's) and {@code models} (the repository index). They take the connection
 * options of {@link InferCommand} ({@code --url}, {@code --timeout}, {@code --tls}, {@code
 * --ca-cert}), before or after the command's name. Each makes one or two unary gRPC calls.
 */
final class ServerCommands {
  private ServerCommands() {}

  /** What every command shares: the parent's connection, error handling and exit codes. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @ParentCommand InferCommand parent;

    @Override
    public final Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!(parent.timeoutSeconds > 0)) {
        err.println("--timeout must be positive");
        return 2;
      }
      try (RingServeClient client = parent.connect()) {
        int code = run(client, out);
        out.flush();
        return code;
      } catch (RingServeException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
    }

    abstract int run(RingServeClient client, PrintWriter out);
  }

  @Command(
      name = "health",
      mixinStandardHelpOptions = true,
      description = {
        "Print whether the server (or a model) is live and ready; exit 0 only when it is,"
            + " 1 otherwise, as a probe."
      })
  static final class Health extends Base {
    @Option(
        names = {"-m", "--model"},
        paramLabel = "NAME",
        description = "Also ask whether this model is ready.")
    String model;

    @Option(
        names = "--model-version",
        paramLabel = "V",
        defaultValue = "",
        description = "The model's version (default: the server's choice).")
    String version;

    @Override
    int run(RingServeClient client, PrintWriter out) {
      boolean live = client.isServerLive();
      boolean ready = client.isServerReady();
      out.println("live: " + live);
      out.println("ready: " + ready);
      boolean ok = live && ready;
      if (model != null) {
        boolean modelReady = client.isModelReady(model, version);
        out.println("model " + model + " ready: " + modelReady);
        ok &= modelReady;
      }
      return ok ? 0 : 1;
    }
  }

  @Command(
      name = "metadata",
      mixinStandardHelpOptions = true,
      description = {
        "Print the server's name, version and extensions, or with --model a model's versions,"
            + " platform, inputs and outputs."
      })
  static final class Metadata extends Base {
    @Option(
        names = {"-m", "--model"},
        paramLabel = "NAME",
        description = "The model to describe (default: the server).")
    String model;

    @Option(
        names = "--model-version",
        paramLabel = "V",
        defaultValue = "",
        description = "The model's version (default: the server's choice).")
    String version;

    @Override
    int run(RingServeClient client, PrintWriter out) {
      if (model == null) {
        ServerMetadataResponse server = client.serverMetadata();
        out.println("server: " + server.getName());
        out.println("version: " + server.getVersion());
        out.println("extensions: " + String.join(" ", server.getExtensionsList()));
        return 0;
      }
      ModelMetadataResponse meta = client.modelMetadata(model, version);
      out.println("model: " + meta.getName());
      out.println("versions: " + String.join(" ", meta.getVersionsList()));
      out.println("platform: " + meta.getPlatform());
      tensors(out, "input", meta.getInputsList());
      tensors(out, "output", meta.getOutputsList());
      return 0;
    }

    private static void tensors(PrintWriter out, String kind, List<TensorMetadata> tensors) {
      for (TensorMetadata t : tensors) {
        out.println(kind + ": " + t.getName() + " " + t.getDatatype() + " " + t.getShapeList());
      }
    }
  }

  @Command(
      name = "models",
      mixinStandardHelpOptions = true,
      description = {"List the models of the server's repository with their version and state."})
  static final class Models extends Base {
    @Option(names = "--ready", description = "Only the models that are ready.")
    boolean readyOnly;

    @Override
    int run(RingServeClient client, PrintWriter out) {
      List<ModelIndex> models = client.repositoryIndex(readyOnly);
      int width = "NAME".length();
      for (ModelIndex m : models) {
        width = Math.max(width, m.getName().length());
      }
      String format = "%-" + width + "s  %-7s  %-11s  %s";
      out.println(String.format(format, "NAME", "VERSION", "STATE", "REASON"));
      for (ModelIndex m : models) {
        out.println(
            String.format(format, m.getName(), m.getVersion(), m.getState(), m.getReason())
                .stripTrailing());
      }
      return 0;
    }
  }
}
