package io.ringserve.pipeline;

import io.ringserve.batching.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores every record of a source into a sink, in input order, one output record per input record.
 *
 * <p>Threads: the caller's reads records (a file's only split into records, not parsed) and cuts a
 * batch every {@code batchSize} records; a pool of {@code mappers} threads parses each batch's
 * records, maps them to rows and sends its request; a writer thread takes the batches in the order
 * they were read, waits for each answer and writes its output records. Parsing 784 text columns of
 * an {@code mlp} row costs more than the model does, so it is the part spread over threads. A queue
 * of {@code maxInFlight} batches between reader and writer bounds what is in memory and in flight,
 * whatever the source's size: a slow model slows the reading, never grows the queue.
 *
 * <p>Batches are cut at fixed record counts from the first record, so a resumed run (which starts
 * at a checkpoint, always at a batch boundary) sends the same batches as an uninterrupted one and
 * writes the same bytes.
 *
 * <p>One run per instance; not thread-safe.
 */
public final class ScoringRun {
  /**
   * Tuning and limits of one run.
   *
   * @param mappers threads that parse and map records to rows (the reading thread only splits the
   *     input into records)
   */
  public record Options(
      int batchSize,
      int maxInFlight,
      long maxErrors,
      Duration checkpointInterval,
      Path checkpointFile,
      Checkpoint resumeFrom,
      int mappers) {
    /** Options with one mapping thread per available processor. */
    public Options(
        int batchSize,
        int maxInFlight,
        long maxErrors,
        Duration checkpointInterval,
        Path checkpointFile,
        Checkpoint resumeFrom) {
      this(
          batchSize,
          maxInFlight,
          maxErrors,
          checkpointInterval,
          checkpointFile,
          resumeFrom,
          Runtime.getRuntime().availableProcessors());
    }

    public Options {
      if (mappers < 1) {
        throw new IllegalArgumentException("mapping threads must be >= 1, got " + mappers);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
      }
    }
  }

  private static final RequestBatch END = new RequestBatch();

  private final Scorer scorer;
  private final FieldMapping mapping;
  private final RecordSource source;
  private final RecordSink sink;
  private final OutputRecords outputs;
  private final Options options;
  private final BlockingQueue<RequestBatch> inFlight;
  private final BatchMapper mapper;
  private final ExecutorService mappers;

  private final AtomicLong records = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile String failure; // why the run stopped early, set by either thread
  private volatile boolean writerDone; // the writer thread has ended, normally or not

  public ScoringRun(
      Scorer scorer,
      FieldMapping mapping,
      RecordSource source,
      RecordSink sink,
      OutputRecords outputs,
      Options options) {
    this.scorer = scorer;
    this.mapping = mapping;
    this.source = source;
    this.sink = sink;
    this.outputs = outputs;
    this.options = options;
    this.inFlight = new ArrayBlockingQueue<>(options.maxInFlight());
    this.mapper = new BatchMapper(mapping, outputs);
    AtomicInteger threads = new AtomicInteger();
    this.mappers =
        Executors.newFixedThreadPool(
            options.mappers(),
            r -> {
              Thread t = new Thread(r, "ringserve-score-mapper-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    if (options.resumeFrom() != null) {
      records.set(options.resumeFrom().records());
      errors.set(options.resumeFrom().errors());
    }
  }

  /**
   * Input records done so far (output written), for progress and the summary. Any thread. Outputs
   * the sink dropped (an aborted transaction) do not count: their records are scored again.
   */
  public long records() {
    return records.get() - sink.discardedRecords();
  }

  /** Error records written so far, less those the sink dropped. Any thread. */
  public long errors() {
    return errors.get() - sink.discardedErrors();
  }

  /**
   * Runs to the end of the source, or until {@code --max-errors} is passed.
   *
   * @return {@code null} if every record was scored, else why the run stopped
   * @throws IOException if the source or the sink fails
   */
  public String run() throws IOException, InterruptedException {
    long skip = options.resumeFrom() == null ? 0 : options.resumeFrom().records();
    for (long i = 0; i < skip; i++) {
      if (source.next() == null) {
        throw new IOException(
            "the checkpoint is at record " + skip + " but " + source.describe() + " has " + i);
      }
    }
    IOException[] writerError = new IOException[1];
    Thread writer =
        new Thread(
            () -> {
              try {
                writeAll();
              } catch (IOException e) {
                writerError[0] = e;
                failure = "writing " + sink.describe() + " failed: " + e.getMessage();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException | Error e) {
                failure = "writing " + sink.describe() + " failed: " + e;
              } finally {
                writerDone = true;
              }
            },
            "ringserve-score-writer");
    writer.start();
    try {
      readAll();
    } catch (IOException | RuntimeException e) {
      // Keeps the last checkpoint: the writer deletes it only after a complete run.
      failure = "reading " + source.describe() + " failed: " + e.getMessage();
      throw e;
    } finally {
      put(END);
      writer.join();
      // A batch still mapping after a failure must not reach the scorer once it is closed.
      mappers.shutdownNow();
      mappers.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (writerError[0] != null) {
      throw writerError[0];
    }
    return failure;
  }

  private void readAll() throws IOException, InterruptedException {
    RequestBatch batch = new RequestBatch();
    SourceRecord record;
    while (failure == null && (record = source.next()) != null) {
      batch.add(record);
      if (batch.size() == options.batchSize()) {
        send(batch);
        batch = new RequestBatch();
      }
    }
    if (batch.size() > 0 && failure == null) {
      send(batch);
    }
  }

  /**
   * Hands the batch to a mapping thread, which sends its request once its rows are built, and
   * queues it for the writer, in reading order whichever batch maps first.
   */
  private void send(RequestBatch batch) throws InterruptedException {
    batch.mapped = CompletableFuture.runAsync(() -> mapper.map(batch), mappers);
    batch.result = batch.mapped.thenCompose(done -> infer(batch));
    put(batch);
  }

  private CompletableFuture<List<Tensor>> infer(RequestBatch batch) {
    if (batch.rows() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return scorer.infer(batch.tensors(mapping.signature()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void put(RequestBatch batch) throws InterruptedException {
    // The writer may have stopped (a sink failure): never wait on it for ever.
    while (!inFlight.offer(batch, 100, TimeUnit.MILLISECONDS)) {
      if ((failure != null && batch != END) || writerDone) {
        return;
      }
    }
  }

  private void writeAll() throws IOException, InterruptedException {
    long lastCheckpoint = System.nanoTime();
    long interval = options.checkpointInterval().toNanos();
    while (true) {
      // Wakes up now and then even when nothing arrives, so that a quiet stream's last outputs are
      // flushed (and their offsets committed) within the interval.
      RequestBatch batch =
          inFlight.poll(
              Math.max(1_000_000L, Math.min(interval, 100_000_000L)), TimeUnit.NANOSECONDS);
      if (batch == END) {
        break;
      }
      if (batch != null) {
        if (failure != null) {
          continue; // drain, so that the reader is never blocked
        }
        write(batch);
      }
      if (failure == null && System.nanoTime() - lastCheckpoint >= interval) {
        checkpoint();
        lastCheckpoint = System.nanoTime();
      }
    }
    sink.flush();
    // A run that stopped early keeps its last checkpoint, taken at a batch boundary: resuming
    // from there writes the same bytes as a run that never stopped.
    if (failure == null && options.checkpointFile() != null) {
      Files.deleteIfExists(options.checkpointFile());
    }
  }

  private void write(RequestBatch batch) throws IOException, InterruptedException {
    try {
      batch.mapped.get();
    } catch (ExecutionException e) {
      // Records that cannot be mapped fail alone: this is a fault of the mapping itself.
      throw new IllegalStateException("mapping records failed: " + e.getCause(), e.getCause());
    }
    List<Tensor> result = null;
    String requestError = null;
    if (batch.rows() > 0) {
      try {
        result = batch.result.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        requestError = "inference failed: " + cause.getMessage();
      }
    }
    boolean batched = mapping.signature().batches();
    long row = 0;
    for (int i = 0; i < batch.size(); i++) {
      SourceRecord record = batch.records.get(i);
      String error = batch.errors.get(i);
      if (error == null && requestError != null) {
        error = requestError;
      }
      if (error == null) {
        sink.writePrediction(outputs, record, result, row, batched);
      } else {
        sink.write(outputs.error(record, error));
        long n = errors.incrementAndGet();
        if (options.maxErrors() >= 0 && n > options.maxErrors()) {
          records.incrementAndGet();
          failure =
              "stopped after "
                  + n
                  + " error records, more than --max-errors "
                  + options.maxErrors()
                  + " (last: "
                  + record.position()
                  + ": "
                  + error
                  + ")";
          return;
        }
      }
      if (batch.errors.get(i) == null) {
        row++;
      }
      records.incrementAndGet();
    }
  }

  /** Flushes the sink (for a stream, acknowledging what is written) and records where it is. */
  private void checkpoint() throws IOException {
    long bytes = sink.flush();
    if (bytes < 0 || options.checkpointFile() == null) {
      return;
    }
    new Checkpoint(source.describe(), options.batchSize(), records.get(), bytes, errors.get())
        .write(options.checkpointFile());
  }
}
