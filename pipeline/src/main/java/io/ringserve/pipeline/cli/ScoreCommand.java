package io.ringserve.pipeline.cli;

import io.ringserve.pipeline.Checkpoint;
import io.ringserve.pipeline.FieldMapping;
import io.ringserve.pipeline.InProcessScorer;
import io.ringserve.pipeline.InputBinding;
import io.ringserve.pipeline.OutputRecords;
import io.ringserve.pipeline.Progress;
import io.ringserve.pipeline.RecordSink;
import io.ringserve.pipeline.RecordSource;
import io.ringserve.pipeline.RemoteScorer;
import io.ringserve.pipeline.Scorer;
import io.ringserve.pipeline.ScoringRun;
import io.ringserve.pipeline.Summary;
import io.ringserve.pipeline.files.FileFormat;
import io.ringserve.pipeline.files.FileInputs;
import io.ringserve.pipeline.files.FileSink;
import io.ringserve.pipeline.files.FileSource;
import io.ringserve.pipeline.files.ParquetSink;
import io.ringserve.pipeline.kafka.KafkaSink;
import io.ringserve.pipeline.kafka.KafkaSource;
import io.ringserve.pipeline.kafka.KafkaUri;
import io.ringserve.pipeline.kafka.LedgerSink;
import io.ringserve.pipeline.kafka.OffsetLedger;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.examples.ExampleModels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringserve score}: every record of a source through a model into a sink, one output record
 * per input record (a prediction, or an error record naming the record and what was wrong).
 *
 * <p>Exit status: 0 when every record has its output record, 1 when the run stopped early ({@code
 * --max-errors}) or failed, 2 for a command line or a field mapping the model refuses.
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = GenerateCommand.class,
    description = {
      "Score records from files, standard input or a Kafka topic through a model into a file,"
          + " standard output or a Kafka topic.",
      "",
      "The model runs in this process (--model-repository; default: the bundled examples) or on a"
          + " KServe v2 gRPC server (--url HOST:PORT, RingServe or Triton).",
      "Example: ringserve score --model mlp_onnx --source data.jsonl --sink scored.jsonl",
      "ringserve score generate writes a synthetic transactions.csv for the fraud example."
    })
public final class ScoreCommand implements Callable<Integer> {

  // Checked in call(), not by picocli: `score generate` runs without it.
  @Option(names = "--model", paramLabel = "NAME", description = "The model (required).")
  String model;

  @Option(
      names = "--model-version",
      paramLabel = "N",
      defaultValue = "",
      description = "The model version (default: the highest ready one).")
  String modelVersion;

  @Option(
      names = "--model-repository",
      paramLabel = "DIR",
      description =
          "Run the model in this process from a Triton-layout repository (default: the bundled"
              + " examples, unless --url is given).")
  Path modelRepository;

  @Option(
      names = "--url",
      paramLabel = "HOST:PORT",
      description = "Run the model on this KServe v2 gRPC server instead (RingServe, Triton).")
  String url;

  @Option(
      names = "--source",
      paramLabel = "SOURCE",
      defaultValue = "-",
      description =
          "A .jsonl/.ndjson/.json, .csv or .parquet file, a directory or glob of them, - for"
              + " standard input (default), or kafka://HOST:PORT/TOPIC (JSON object values).")
  String source;

  @Option(
      names = "--source-format",
      paramLabel = "jsonl|csv|parquet",
      description = "The source's format (default: from the file name; jsonl for standard input).")
  String sourceFormat;

  @Option(
      names = "--sink",
      paramLabel = "SINK",
      defaultValue = "-",
      description =
          "A .jsonl, .csv or .parquet file, - for standard output (default), or"
              + " kafka://HOST:PORT/TOPIC.")
  String sink;

  @Option(
      names = "--sink-format",
      paramLabel = "jsonl|csv|parquet",
      description = "The sink's format (default: from the file name; jsonl for standard output).")
  String sinkFormat;

  @Option(
      names = "--input",
      paramLabel = "INPUT=FIELDS",
      description =
          "Fields of a model input: INPUT0=features (a JSON array field) or"
              + " INPUT0=V1..V28,Amount (columns, in order). Default: the field of the input's name,"
              + " or, for a single input, every field but --id and --keep.")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--id",
      paramLabel = "FIELD",
      description = "A field copied to each output record, first.")
  String id;

  @Option(
      names = "--keep",
      paramLabel = "FIELD",
      split = ",",
      description = "Fields copied to each output record beside the outputs.")
  List<String> keep = new ArrayList<>();

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description =
          "Records per request (default: the model's max_batch_size; 1 if it does not batch).")
  Integer batchSize;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      defaultValue = "4",
      description = "Requests sent and not yet written (default: ${DEFAULT-VALUE}); bounds memory.")
  int maxInFlight;

  @Option(
      names = "--mappers",
      paramLabel = "N",
      description =
          "Threads that parse records and map them to rows (default: the available processors).")
  Integer mappers;

  @Option(
      names = "--max-errors",
      paramLabel = "N",
      defaultValue = "-1",
      description =
          "Stop once more than N records failed (default: ${DEFAULT-VALUE} = never; bad records"
              + " get error records and the run goes on).")
  long maxErrors;

  @Option(
      names = "--resume",
      description =
          "Continue a file run that was stopped or killed, from its checkpoint (SINK.checkpoint)."
              + " Not for a Parquet sink, which cannot be appended to: rerun it.")
  boolean resume;

  @Option(
      names = "--checkpoint-interval-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description =
          "How often a file run records where it is, and a Kafka run commits (default:"
              + " ${DEFAULT-VALUE}).")
  long checkpointIntervalMs;

  @Option(
      names = "--group",
      paramLabel = "NAME",
      description =
          "The Kafka consumer group of a kafka:// source (default: ringserve-score-MODEL)."
              + " Scorers in one group share the topic's partitions.")
  String group;

  @Option(
      names = "--exactly-once",
      description =
          "Kafka to Kafka: commit outputs and consumed offsets in one transaction, so that a"
              + " read_committed consumer sees each prediction once (default: at-least-once).")
  boolean exactlyOnce;

  @Option(
      names = "--transactional-id",
      paramLabel = "ID",
      description =
          "With --exactly-once, this scorer's transactional.id; give each replica a stable one so"
              + " that a restarted scorer aborts its predecessor's open transaction at once"
              + " (default: random).")
  String transactionalId;

  @Option(
      names = "--idle-timeout-ms",
      paramLabel = "MS",
      defaultValue = "0",
      description =
          "End a kafka:// source run after MS without a new record, counted from the first"
              + " partition assignment, once its partitions have nothing left to read (default:"
              + " ${DEFAULT-VALUE} = run until stopped).")
  long idleTimeoutMs;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client property for the consumer and producer (security.protocol,"
              + " sasl.*, max.poll.records, ...).")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(
      names = "--timeout-seconds",
      paramLabel = "S",
      defaultValue = "60",
      description = "Deadline of one request with --url (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--progress-seconds",
      paramLabel = "S",
      defaultValue = "5",
      description =
          "Seconds between progress lines when standard error is not a terminal (default: ${DEFAULT-VALUE}).")
  long progressSeconds;

  @Option(
      names = "--summary-json",
      paramLabel = "FILE",
      description = "Also write the final summary to FILE as JSON.")
  Path summaryJson;

  final PrintStream err; // also `score generate`'s

  public ScoreCommand() {
    this(System.err);
  }

  ScoreCommand(PrintStream err) {
    this.err = err;
  }

  public static void main(String[] args) {
    CommandLine command = new CommandLine(new ScoreCommand());
    // A failure the run could not turn into error records (an unreadable source, a server that
    // cannot be reached) ends the command with its message, not a stack trace.
    command.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          cl.getErr().println("score: error: " + e.getMessage());
          return 1;
        });
    System.exit(command.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (model == null) {
      return usage("--model is required");
    }
    if (url != null && modelRepository != null) {
      return usage("give --url or --model-repository, not both");
    }
    if (mappers != null && mappers < 1) {
      return usage("--mappers must be at least 1, got " + mappers);
    }
    if (resume && "-".equals(sink)) {
      return usage("--resume needs a file sink (standard output cannot be rewound)");
    }
    boolean kafkaIn = KafkaUri.matches(source);
    boolean kafkaOut = KafkaUri.matches(sink);
    if (resume && (kafkaIn || kafkaOut)) {
      return usage(
          "--resume is for file runs; a Kafka run continues from its group's committed offsets");
    }
    if (exactlyOnce && !(kafkaIn && kafkaOut)) {
      return usage("--exactly-once needs a kafka:// source and a kafka:// sink");
    }
    FileFormat namedSinkFormat;
    try {
      namedSinkFormat =
          sinkFormat != null
              ? FileFormat.parse(sinkFormat)
              : "-".equals(sink) || kafkaOut ? null : FileFormat.byExtension(sink);
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    if (namedSinkFormat == FileFormat.PARQUET) {
      // Parquet writes its footer last and cannot append: neither a checkpoint to cut back to nor
      // the earlier runs' outputs of a stream could be kept.
      if (resume) {
        return usage(
            "--resume: a Parquet file cannot be appended to (its footer is written last), so a"
                + " Parquet run has no checkpoint; rerun without --resume, or write .jsonl or"
                + " .csv to resume");
      }
      if (kafkaIn) {
        return usage(
            "a kafka:// source needs a .jsonl or .csv file sink: each run appends its outputs,"
                + " and a Parquet file cannot be appended to");
      }
      if ("-".equals(sink)) {
        return usage("Parquet cannot be written to standard output; give a file");
      }
    }
    if (idleTimeoutMs < 0) {
      return usage("--idle-timeout-ms must be >= 0, got " + idleTimeoutMs);
    }
    List<InputBinding> bindings = new ArrayList<>();
    FileFormat inFormat;
    FileFormat outFormat;
    try {
      for (String spec : inputs) {
        bindings.add(InputBinding.parse(spec));
      }
      inFormat = sourceFormat == null ? null : FileFormat.parse(sourceFormat);
      outFormat = sinkFormat == null ? null : FileFormat.parse(sinkFormat);
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    List<String> passThrough = new ArrayList<>();
    if (id != null) {
      passThrough.add(id);
    }
    passThrough.addAll(keep);

    RecordSource records;
    OffsetLedger ledger = kafkaIn ? new OffsetLedger() : null;
    try {
      if (kafkaIn) {
        records =
            new KafkaSource(
                KafkaUri.parse(source),
                group != null ? group : "ringserve-score-" + model,
                ledger,
                !exactlyOnce,
                Duration.ofMillis(idleTimeoutMs),
                kafkaProperties,
                err);
      } else {
        records =
            "-".equals(source)
                ? FileSource.ofStream(System.in, inFormat == null ? FileFormat.JSONL : inFormat)
                : FileSource.ofFiles(FileInputs.resolve(source), inFormat);
      }
    } catch (IOException | IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    try (RecordSource in = records;
        Scorer scorer = openScorer()) {
      FieldMapping mapping;
      try {
        mapping = FieldMapping.create(scorer.signature(), bindings, passThrough, in.columns());
      } catch (IllegalArgumentException e) {
        return usage(e.getMessage());
      }
      int perRequest =
          batchSize != null ? batchSize : Math.max(1, scorer.signature().maxBatchSize());
      if (perRequest < 1
          || (scorer.signature().batches() && perRequest > scorer.signature().maxBatchSize())
          || (!scorer.signature().batches() && perRequest != 1)) {
        return usage(
            "--batch-size "
                + perRequest
                + ": model '"
                + model
                + "' takes 1 to "
                + Math.max(1, scorer.signature().maxBatchSize())
                + " records per request");
      }
      // A stream cannot be re-read from a file checkpoint: a Kafka run's position is its commits.
      Path checkpointFile =
          "-".equals(sink) || kafkaIn || kafkaOut ? null : Checkpoint.besides(Path.of(sink));
      Checkpoint from = resume ? Checkpoint.read(checkpointFile) : null;
      if (from != null) {
        if (!from.source().equals(in.describe()) || from.batchSize() != perRequest) {
          return usage(
              "the checkpoint "
                  + checkpointFile
                  + " is of a run over "
                  + from.source()
                  + " with --batch-size "
                  + from.batchSize()
                  + ", not "
                  + in.describe()
                  + " with "
                  + perRequest);
        }
      } else if (checkpointFile != null) {
        java.nio.file.Files.deleteIfExists(checkpointFile);
      }
      FileFormat format =
          kafkaOut
              ? FileFormat.JSONL
              : outFormat != null
                  ? outFormat
                  : "-".equals(sink) ? FileFormat.JSONL : FileFormat.byExtension(sink);
      if (format == null) {
        return usage(
            "--sink " + sink + ": cannot tell the format from the name; give --sink-format");
      }
      List<String> columns = csvColumns(passThrough, scorer);
      RecordSink opened;
      try {
        opened =
            format == FileFormat.PARQUET
                ? ParquetSink.open(Path.of(sink), passThrough, scorer.signature().outputs())
                : openSink(format, columns, from, in, ledger);
      } catch (IllegalArgumentException e) {
        return usage(e.getMessage());
      }
      try (RecordSink out = opened) {
        ScoringRun run =
            new ScoringRun(
                scorer,
                mapping,
                in,
                out,
                new OutputRecords(passThrough),
                new ScoringRun.Options(
                    perRequest,
                    maxInFlight,
                    maxErrors,
                    Duration.ofMillis(checkpointIntervalMs),
                    checkpointFile,
                    from,
                    mappers != null ? mappers : Runtime.getRuntime().availableProcessors()));
        err.println(
            "score: "
                + in.describe()
                + " through "
                + scorer.describe()
                + " into "
                + out.describe()
                + (from != null ? ", resuming after record " + from.records() : ""));
        long start = System.nanoTime();
        long before = run.records();
        String stopped;
        try (Progress progress =
            new Progress(
                err,
                System.console() != null,
                Duration.ofSeconds(Math.max(1, progressSeconds)),
                run::records,
                run::errors,
                in::bytesRead,
                in.totalBytes())) {
          stopped = run.run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long done = run.records();
        Summary summary =
            new Summary(
                model,
                in.describe(),
                out.describe(),
                done,
                done - run.errors(),
                run.errors(),
                done - before,
                seconds,
                (done - before) / Math.max(seconds, 1e-9),
                from != null,
                stopped);
        err.println(summary.text());
        if (summaryJson != null) {
          summary.writeJson(summaryJson);
        }
        return stopped == null ? 0 : 1;
      }
    }
  }

  private RecordSink openSink(
      FileFormat format,
      List<String> columns,
      Checkpoint from,
      RecordSource in,
      OffsetLedger ledger)
      throws IOException {
    RecordSink out;
    if (KafkaUri.matches(sink)) {
      KafkaUri uri = KafkaUri.parse(sink);
      if (exactlyOnce) {
        String txId =
            transactionalId != null ? transactionalId : "ringserve-score-" + UUID.randomUUID();
        // The transaction carries the offsets: no LedgerSink, the source commits nothing.
        return KafkaSink.exactlyOnce(
            uri, id, kafkaProperties, txId, ledger, ((KafkaSource) in)::groupMetadata);
      }
      out = KafkaSink.atLeastOnce(uri, id, kafkaProperties);
    } else if ("-".equals(sink)) {
      out = FileSink.stream(System.out, format, columns);
    } else if (ledger != null) {
      // A stream's outputs accumulate across runs: append, never cut what earlier runs committed.
      Path file = Path.of(sink);
      out =
          FileSink.open(
              file,
              format,
              columns,
              java.nio.file.Files.exists(file) ? java.nio.file.Files.size(file) : -1);
    } else {
      out = FileSink.open(Path.of(sink), format, columns, from == null ? -1 : from.outputBytes());
    }
    return ledger == null ? out : new LedgerSink(out, ledger);
  }

  private Scorer openScorer() throws IOException {
    if (url != null) {
      return RemoteScorer.connect(url, model, modelVersion, Duration.ofSeconds(timeoutSeconds));
    }
    BackendOptions engines = BackendOptions.serverDefaults();
    ProcessThreadPools pools = new ProcessThreadPools(engines);
    Path repository = modelRepository;
    if (repository == null) {
      repository = defaultExamplesDir();
      ExampleModels.ensureGenerated(repository, pools);
    }
    return InProcessScorer.load(repository, model, modelVersion, engines, pools);
  }

  /** The pass-through fields, the outputs (one column per element), then record and error. */
  private static List<String> csvColumns(List<String> passThrough, Scorer scorer) {
    List<String> columns = new ArrayList<>(passThrough);
    for (var spec : scorer.signature().outputs()) {
      long n = spec.elementsPerRecord();
      if (n == 1 || n < 0) {
        columns.add(spec.name());
      } else {
        for (int i = 0; i < n; i++) {
          columns.add(spec.name() + "_" + i);
        }
      }
    }
    columns.add(OutputRecords.RECORD_FIELD);
    columns.add(OutputRecords.ERROR_FIELD);
    return columns;
  }

  private int usage(String message) {
    err.println("score: error: " + message);
    return 2;
  }

  /** {@code $XDG_CACHE_HOME/ringserve/examples}, or {@code ~/.cache/ringserve/examples}. */
  static Path defaultExamplesDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return cache.resolve("ringserve").resolve("examples");
  }
}
