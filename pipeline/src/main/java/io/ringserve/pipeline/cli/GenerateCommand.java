package io.ringserve.pipeline.cli;

import io.ringserve.pipeline.examples.TransactionGenerator;
import io.ringserve.pipeline.examples.UniformRowsGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ringserve score generate}: a synthetic {@code transactions.csv} for the {@code fraud}
 * example, of any size, written as it is drawn (constant memory).
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write a synthetic transactions CSV (Time, V1..V28, Amount) for the fraud example model.",
      "Example: ringserve score generate --rows 1000000 -o transactions.csv",
      "With --features N: N uniform [0, 1) columns x0..xN-1 instead, load for a model that takes"
          + " one vector (mlp: --features 784)."
    })
final class GenerateCommand implements Callable<Integer> {

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Transactions to write (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      defaultValue = "-",
      description =
          "The CSV file to write, replaced if it exists; - for standard output (default).")
  String output;

  @Option(
      names = "--features",
      paramLabel = "N",
      description =
          "Write N uniform [0, 1) columns x0..xN-1 instead of transactions (default: transactions"
              + " for the fraud model).")
  Integer features;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "2026",
      description = "The random seed: one seed and row count always give the same file.")
  long seed;

  @Option(
      names = "--fraud-rate",
      paramLabel = "R",
      defaultValue = "0.002",
      description = "The share of rows drawn as fraud (default: ${DEFAULT-VALUE}).")
  double fraudRate;

  @ParentCommand ScoreCommand parent;

  @Override
  public Integer call() throws IOException {
    PrintStream err = parent.err;
    if (rows < 0) {
      err.println("score generate: error: --rows must be >= 0, got " + rows);
      return 2;
    }
    if (!(fraudRate >= 0 && fraudRate <= 1)) {
      err.println("score generate: error: --fraud-rate must be in [0, 1], got " + fraudRate);
      return 2;
    }
    if (features != null && features < 1) {
      err.println("score generate: error: --features must be >= 1, got " + features);
      return 2;
    }
    if ("-".equals(output)) {
      Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
      write(new BufferedWriter(out, 1 << 16));
      return 0;
    }
    Path file = Path.of(output);
    try (Writer out =
        new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
      write(out);
    }
    err.println(
        "score generate: wrote "
            + rows
            + (features == null ? " transactions" : " rows of " + features + " features")
            + " to "
            + file);
    return 0;
  }

  private void write(Writer out) throws IOException {
    if (features == null) {
      new TransactionGenerator(seed, fraudRate).write(out, rows);
    } else {
      new UniformRowsGenerator(seed, features).write(out, rows);
    }
  }
}
