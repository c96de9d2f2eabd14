package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.types.family.TType;

/**
 * Session calls prepared for the batch shapes a runner has seen lately, so that a batch of a shape
 * seen before costs one {@code memcpy} per input and the engine's run, and nothing else on the Java
 * side.
 *
 * <p>Why: TensorFlow Java rebuilds a lot per call. A new {@code Session.Runner} looks up each
 * fetched output's datatype through native calls; each new input tensor is a native allocation, a
 * typed n-dimensional view over it and a buffer mapping, all closed again after the run. For a
 * small model that was about half of what the model's worker allocated per request. A prepared
 * entry keeps the runner (its feeds and fetches), the input tensors sized for one set of shapes,
 * and direct views of their native memory; {@code Session.Runner.run()} may be called again and
 * reads its feeds afresh each time.
 *
 * <p>Bounds: the prepared input tensors of one runner total at most {@link #MAX_BYTES} bytes in at
 * most {@link #MAX_ENTRIES} entries, least recently used entries replaced (and their tensors
 * closed) to make room, and only batches whose inputs total at most {@link #MAX_ENTRY_BYTES} bytes
 * are prepared: a larger batch's per-call overhead is small next to its copy and compute, and its
 * native memory is better given back. BYTES inputs are never prepared (their tensors are built
 * element by element). The budget is in bytes, not entries, because dynamic batching forms every
 * batch size up to max_batch_size: under load a runner sees dozens of sizes, and a bound of a few
 * entries made a large share of its batches misses, each paying an unprepared call plus the close
 * of the entry it replaced (docs/PERFORMANCE.md, "mlp's cost beyond the engine"). The native memory
 * this keeps is the sum of the batch sizes seen times the bytes of a row, at most {@link
 * #MAX_BYTES} per runner (a runner per instance and per session range), given back when the runner
 * is closed.
 *
 * <p>Threading: owned by one runner, used by one thread at a time (see {@link TensorFlowRunner}).
 * The tensors are fed to the session only while that thread runs it, and TensorFlow does not keep
 * fed tensors past the call, so rewriting them for the next batch is safe.
 */
final class PreparedRuns implements AutoCloseable {
  /**
   * At most this many bytes of prepared input tensors per runner: every batch size of a range of
   * {@code mlp} (784 FP32 per row, up to 128 rows: 15.7 MB for the sizes 81 to 128) fits.
   */
  static final long MAX_BYTES = 16L << 20;

  /**
   * At most this many prepared calls per runner, whatever their size: each costs Java objects and a
   * lookup step, and tiny inputs of many shapes (variable dimensions) would otherwise add up.
   */
  static final int MAX_ENTRIES = 256;

  /** Batches whose inputs total more than this are not prepared. */
  static final long MAX_ENTRY_BYTES = 1L << 20;

  private final Session session;
  private final List<SignatureTensor> inputs;
  private final List<Output<?>> inputOperands;
  private final List<Output<?>> outputOperands;
  private final List<Entry> entries = new ArrayList<>();
  private long bytes;
  private long uses;
  private long created;

  PreparedRuns(
      Session session,
      List<SignatureTensor> inputs,
      List<Output<?>> inputOperands,
      List<Output<?>> outputOperands) {
    this.session = session;
    this.inputs = inputs;
    this.inputOperands = inputOperands;
    this.outputOperands = outputOperands;
  }

  /**
   * A session call fed with {@code batchInputs} (in signature order, already checked against the
   * signature) and fetching {@code fetched}, with the inputs' bytes copied in; {@code null} if such
   * a batch is not prepared (BYTES inputs, too large, or tensor memory out of reach), in which case
   * the caller builds the call itself.
   */
  Session.Runner prepare(Tensor[] batchInputs, List<Integer> fetched) {
    Entry entry = find(batchInputs, fetched);
    if (entry == null) {
      if (!preparable(batchInputs)) {
        return null;
      }
      entry = create(batchInputs, fetched);
      if (entry == null) {
        return null;
      }
    }
    entry.lastUse = ++uses;
    for (int i = 0; i < batchInputs.length; i++) {
      ByteBuffer view = entry.views[i];
      view.clear();
      batchInputs[i].copyTo(view);
    }
    return entry.runner;
  }

  private Entry find(Tensor[] batchInputs, List<Integer> fetched) {
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      if (entry.matches(batchInputs, fetched)) {
        return entry;
      }
    }
    return null;
  }

  private static boolean preparable(Tensor[] batchInputs) {
    long bytes = 0;
    for (Tensor input : batchInputs) {
      if (input.dataType() == DataType.BYTES || input.byteSize() == 0) {
        return false;
      }
      bytes += input.byteSize();
    }
    return bytes <= MAX_ENTRY_BYTES;
  }

  /** The bytes of all of {@code batchInputs}. */
  private static long byteSize(Tensor[] batchInputs) {
    long total = 0;
    for (Tensor input : batchInputs) {
      total += input.byteSize();
    }
    return total;
  }

  private Entry create(Tensor[] batchInputs, List<Integer> fetched) {
    // Room first, so that the native memory never holds more than the budget at once.
    makeRoom(byteSize(batchInputs));
    TType[] tensors = new TType[batchInputs.length];
    ByteBuffer[] views = new ByteBuffer[batchInputs.length];
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < batchInputs.length; i++) {
        tensors[i] =
            org.tensorflow.Tensor.of(
                inputs.get(i).tensorClass(),
                org.tensorflow.ndarray.Shape.of(batchInputs[i].shape()));
        ByteBuffer view = NativeMemory.nativeView(tensors[i].asRawTensor().data());
        int size = batchInputs[i].byteSize();
        if (view == null || view.capacity() < size) {
          closeAll(tensors);
          return null;
        }
        // Exactly the tensor's bytes: the view JavaCPP hands out may reach further.
        views[i] = view.slice(0, size);
        runner.feed(inputOperands.get(i), tensors[i]);
      }
      for (int index : fetched) {
        runner.fetch(outputOperands.get(index));
      }
      Entry entry =
          new Entry(
              shapesOf(batchInputs),
              List.copyOf(fetched),
              byteSize(batchInputs),
              tensors,
              views,
              runner);
      add(entry);
      return entry;
    } catch (RuntimeException | Error e) {
      closeAll(tensors);
      throw e;
    }
  }

  /** Evicts least recently used entries until one of {@code size} bytes fits both bounds. */
  private void makeRoom(long size) {
    while (!entries.isEmpty() && (entries.size() >= MAX_ENTRIES || bytes + size > MAX_BYTES)) {
      int oldest = 0;
      for (int i = 1; i < entries.size(); i++) {
        if (entries.get(i).lastUse < entries.get(oldest).lastUse) {
          oldest = i;
        }
      }
      Entry evicted = entries.get(oldest);
      // Swap-remove: the order of entries does not matter, and this moves no others.
      entries.set(oldest, entries.get(entries.size() - 1));
      entries.remove(entries.size() - 1);
      bytes -= evicted.bytes;
      closeAll(evicted.tensors);
    }
  }

  private void add(Entry entry) {
    entries.add(entry);
    bytes += entry.bytes;
    created++;
  }

  /** The bytes of input tensors now prepared; at most {@link #MAX_BYTES}. */
  long preparedBytes() {
    return bytes;
  }

  /** The number of calls now prepared; at most {@link #MAX_ENTRIES}. */
  int preparedCount() {
    return entries.size();
  }

  /** How many calls were prepared since this was made: the misses that were prepared. */
  long createdCount() {
    return created;
  }

  private static long[][] shapesOf(Tensor[] batchInputs) {
    long[][] shapes = new long[batchInputs.length][];
    for (int i = 0; i < batchInputs.length; i++) {
      shapes[i] = batchInputs[i].shape();
    }
    return shapes;
  }

  private static void closeAll(TType[] tensors) {
    for (TType tensor : tensors) {
      if (tensor != null) {
        tensor.close();
      }
    }
  }

  /** Closes every prepared tensor. The runner makes no call after this. */
  @Override
  public void close() {
    for (Entry entry : entries) {
      closeAll(entry.tensors);
    }
    entries.clear();
    bytes = 0;
  }

  /** One prepared call: the shapes it is for, its fed tensors and their native memory. */
  private static final class Entry {
    final long[][] shapes;
    final List<Integer> fetched;
    final long bytes;
    final TType[] tensors;
    final ByteBuffer[] views;
    final Session.Runner runner;
    long lastUse;

    Entry(
        long[][] shapes,
        List<Integer> fetched,
        long bytes,
        TType[] tensors,
        ByteBuffer[] views,
        Session.Runner runner) {
      this.shapes = shapes;
      this.fetched = fetched;
      this.bytes = bytes;
      this.tensors = tensors;
      this.views = views;
      this.runner = runner;
    }

    boolean matches(Tensor[] batchInputs, List<Integer> wanted) {
      if (fetched != wanted && !fetched.equals(wanted)) {
        return false;
      }
      for (int i = 0; i < batchInputs.length; i++) {
        long[] shape = shapes[i];
        Tensor input = batchInputs[i];
        if (input.rank() != shape.length) {
          return false;
        }
        for (int d = 0; d < shape.length; d++) {
          if (input.dim(d) != shape[d]) {
            return false;
          }
        }
      }
      return true;
    }
  }
}
