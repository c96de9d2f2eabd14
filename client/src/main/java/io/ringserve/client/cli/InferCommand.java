package io.ringserve.client.cli;

import com.google.protobuf.Value;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import io.ringserve.client.InferRequest;
import io.ringserve.client.InferResult;
import io.ringserve.client.RetryPolicy;
import io.ringserve.client.RingServeClient;
import io.ringserve.client.RingServeClientBuilder;
import io.ringserve.client.RingServeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code ringserve-infer}: one inference request from the command line, outputs printed; the curl
 * of RingServe. Datatypes and shapes come from the model's metadata, so usually only values are
 * needed:
 *
 * <pre>
 * java -jar client/target/ringserve-infer.jar --model simple \
 *     --input INPUT0=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 --input INPUT1=@ones.json
 * </pre>
 *
 * <p>Its commands {@code health}, {@code metadata} and {@code models} ask the server for its state,
 * so a first session needs no other tool ({@link ServerCommands}).
 *
 * <p>Exit codes: 0 success, 1 the server answered with an error (or, for {@code health}, is not
 * live or ready), 2 bad command-line input.
 */
@Command(
    name = "ringserve-infer",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = InferCommand.Version.class,
    subcommands = {
      ServerCommands.Health.class,
      ServerCommands.Metadata.class,
      ServerCommands.Models.class
    },
    description = {
      "Send one inference request to a RingServe (or any KServe v2) server and print the outputs.",
      "",
      "Input values: comma-separated (1,2,3), a JSON array ([[1,2],[3,4]]; nesting gives the"
          + " shape) or @FILE holding a JSON array. Datatypes, and shapes where not given, come"
          + " from the model's metadata; a batching model gets a batch of 1.",
      "",
      "Commands (instead of an inference): health, metadata [--model NAME], models."
    })
public final class InferCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-u", "--url"},
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:8001",
      scope = ScopeType.INHERIT,
      description = "Server's gRPC address (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME",
      description = "Model to run (required for an inference).")
  String model;

  @Option(
      names = "--model-version",
      paramLabel = "V",
      defaultValue = "",
      description = "Model version (default: the server's choice).")
  String version;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "NAME=VALUES",
      description = "An input and its values: 1,2,3 or [[1,2],[3,4]] or @file.json. Repeatable.")
  Map<String, String> inputs = new LinkedHashMap<>();

  @Option(
      names = "--inputs-json",
      paramLabel = "FILE",
      description =
          "A JSON file of inputs: {\"INPUT0\": [...], ...}, or KServe v2 REST's"
              + " {\"inputs\": [{\"name\", \"shape\", \"data\"}]}.")
  Path inputsJson;

  @Option(
      names = "--shape",
      paramLabel = "NAME=D1,D2",
      description = "The shape of an input, when the model's metadata leaves it open. Repeatable.")
  Map<String, String> shapes = new LinkedHashMap<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "NAME",
      description = "Outputs to return (default: all). Repeatable.")
  List<String> outputs = List.of();

  @Option(names = "--json", description = "Print the result as JSON (KServe v2 REST layout).")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      scope = ScopeType.INHERIT,
      description = "Deadline of each call (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Option(
      names = "--tls",
      scope = ScopeType.INHERIT,
      description = "Connect with TLS (the JVM's trusted authorities).")
  boolean tls;

  @Option(
      names = {"--ca-cert", "--cacert"},
      paramLabel = "PEM",
      scope = ScopeType.INHERIT,
      description = "Connect with TLS, trusting the authorities in this PEM file.")
  Path caCert;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code, printing to stdout and stderr. */
  static int run(String... args) {
    return new CommandLine(new InferCommand()).execute(args);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (model == null) {
      err.println(
          "error: Missing required option: '--model=NAME' (or a command: health, metadata,"
              + " models; see --help)");
      return 2;
    }
    if (!(timeoutSeconds > 0)) {
      err.println("--timeout must be positive");
      return 2;
    }
    // The inputs are read before the server is asked anything, so that a missing file is
    // reported as such even when the server cannot be reached.
    Map<String, InputValues> values = new LinkedHashMap<>();
    Map<String, long[]> restShapes = new LinkedHashMap<>();
    try {
      readInputs(values, restShapes);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    try (RingServeClient client = connect()) {
      InferRequest request;
      try {
        request = request(client.modelMetadata(model, version), values, restShapes);
      } catch (IllegalArgumentException | IllegalStateException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      InferResult result = client.infer(request);
      PrintWriter out = spec.commandLine().getOut();
      OutputPrinter.print(result, json, out);
      out.flush();
      return 0;
    } catch (RingServeException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /**
   * A client for {@code --url} with the connection options, shared with the commands (they are
   * inherited options, so they may come before or after the command's name).
   */
  RingServeClient connect() {
    RingServeClientBuilder builder =
        RingServeClient.builder()
            .target(url)
            .defaultDeadline(Duration.ofNanos((long) (timeoutSeconds * 1e9)))
            .retryPolicy(RetryPolicy.DEFAULT);
    if (caCert != null) {
      builder.tls(caCert);
    } else if (tls) {
      builder.tls();
    }
    return builder.build();
  }

  /** Reads the values of {@code --inputs-json} and {@code --input}, files included. */
  private void readInputs(Map<String, InputValues> values, Map<String, long[]> restShapes) {
    if (inputsJson != null) {
      readInputsJson(values, restShapes);
    }
    for (Map.Entry<String, String> e : inputs.entrySet()) {
      String text = e.getValue();
      if (text.startsWith("@")) {
        text = readNamedFile(Path.of(text.substring(1)));
      }
      values.put(e.getKey(), InputValues.parse(e.getKey(), text));
    }
  }

  /** Builds the request from the values read and the model's metadata. */
  private InferRequest request(
      ModelMetadataResponse meta, Map<String, InputValues> values, Map<String, long[]> restShapes) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "no inputs given; model " + model + " takes " + names(meta.getInputsList()));
    }
    InferRequest.Builder request = InferRequest.builder(model).version(version);
    for (Map.Entry<String, InputValues> e : values.entrySet()) {
      TensorMetadata tm =
          meta.getInputsList().stream()
              .filter(t -> t.getName().equals(e.getKey()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "model "
                              + model
                              + " has no input "
                              + e.getKey()
                              + "; its inputs are "
                              + names(meta.getInputsList())));
      long[] shape =
          shapes.containsKey(e.getKey())
              ? parseShape(e.getKey(), shapes.get(e.getKey()))
              : restShapes.get(e.getKey());
      request.input(InputTensors.build(tm, e.getValue(), shape));
    }
    outputs.forEach(request::output);
    return request.build();
  }

  /**
   * Reads a file named on the command line. One that cannot be read is the caller's mistake, told
   * in one line (exit 2), not a stack trace.
   */
  private static String readNamedFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + file);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read " + file + ": permission denied");
    } catch (MalformedInputException e) {
      throw new IllegalArgumentException("cannot read " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read "
              + file
              + (Files.isDirectory(file) ? ": it is a folder" : ": " + e.getMessage()));
    }
  }

  private void readInputsJson(Map<String, InputValues> values, Map<String, long[]> restShapes) {
    String file = inputsJson.toString();
    Value root = InputValues.json(file, readNamedFile(inputsJson));
    if (root.getKindCase() != Value.KindCase.STRUCT_VALUE) {
      throw new IllegalArgumentException(file + " must hold a JSON object");
    }
    Map<String, Value> fields = root.getStructValue().getFieldsMap();
    Value rest = fields.get("inputs");
    if (rest != null && rest.getKindCase() == Value.KindCase.LIST_VALUE) {
      for (Value input : rest.getListValue().getValuesList()) {
        Map<String, Value> f = input.getStructValue().getFieldsMap();
        String name = f.getOrDefault("name", Value.getDefaultInstance()).getStringValue();
        if (name.isEmpty() || !f.containsKey("data")) {
          throw new IllegalArgumentException(file + ": every input needs \"name\" and \"data\"");
        }
        values.put(name, InputValues.fromJson(name, f.get("data")));
        if (f.containsKey("shape")) {
          restShapes.put(
              name,
              f.get("shape").getListValue().getValuesList().stream()
                  .mapToLong(v -> (long) v.getNumberValue())
                  .toArray());
        }
      }
      return;
    }
    fields.forEach((name, v) -> values.put(name, InputValues.fromJson(name, v)));
  }

  private static long[] parseShape(String input, String text) {
    try {
      String[] parts = text.replace("[", "").replace("]", "").split(",");
      long[] shape = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        shape[i] = Long.parseLong(parts[i].strip());
      }
      return shape;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--shape " + input + "=" + text + ": dimensions must be integers, as 1,16", e);
    }
  }

  private static List<String> names(List<TensorMetadata> tensors) {
    return tensors.stream().map(TensorMetadata::getName).toList();
  }

  /** The version printed by {@code --version}: the jar's. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = InferCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ringserve-infer " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
