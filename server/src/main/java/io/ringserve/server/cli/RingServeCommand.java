package io.ringserve.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ringserve} command: {@code serve} starts the server, {@code examples} writes the
 * example models.
 */
@Command(
    name = "ringserve",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "RingServe: a KServe v2 / Triton-compatible gRPC inference server for the JVM,",
      "with dynamic batching on an LMAX Disruptor ring buffer.",
      "",
      "Run 'ringserve serve' to serve the bundled example models on port 8001."
    },
    subcommands = {ServeCommand.class, ExamplesCommand.class, CommandLine.HelpCommand.class})
public final class RingServeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.configure();
    System.exit(new CommandLine(new RingServeCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
