package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
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
 * <p>Bounds: at most {@link #MAX_ENTRIES} entries, the least recently used one replaced (and its
 * tensors closed), and only batches whose inputs total at most {@link #MAX_ENTRY_BYTES} bytes: a
 * large batch's per-call overhead is small next to its copy and compute, and its native memory is
 * better given back. BYTES inputs are never prepared (their tensors are built element by element).
 * A model with more distinct batch shapes than entries (dynamic batching up to a large
 * max_batch_size) sees some misses, each costing what an unprepared call costs plus the close of
 * the entry it replaces.
 *
 * <p>Threading: owned by one runner, used by one thread at a time (see {@link TensorFlowRunner}).
 * The tensors are fed to the session only while that thread runs it, and TensorFlow does not keep
 * fed tensors past the call, so rewriting them for the next batch is safe.
 */
final class PreparedRuns implements AutoCloseable {
  /** At most this many prepared calls per runner. */
  static final int MAX_ENTRIES = 16;

  /**
   * Batches whose inputs total more than this are not prepared; with {@link #MAX_ENTRIES}, a runner
   * keeps at most 4 MiB of prepared input tensors.
   */
  static final long MAX_ENTRY_BYTES = 256L << 10;

  private final Session session;
  private final List<SignatureTensor> inputs;
  private final List<Output<?>> inputOperands;
  private final List<Output<?>> outputOperands;
  private final Entry[] entries = new Entry[MAX_ENTRIES];
  private long uses;

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
    for (Entry entry : entries) {
      if (entry != null && entry.matches(batchInputs, fetched)) {
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

  private Entry create(Tensor[] batchInputs, List<Integer> fetched) {
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
      Entry entry = new Entry(shapesOf(batchInputs), List.copyOf(fetched), tensors, views, runner);
      replaceLeastRecentlyUsed(entry);
      return entry;
    } catch (RuntimeException | Error e) {
      closeAll(tensors);
      throw e;
    }
  }

  private void replaceLeastRecentlyUsed(Entry entry) {
    int slot = 0;
    for (int i = 0; i < entries.length; i++) {
      if (entries[i] == null) {
        slot = i;
        break;
      }
      if (entries[i].lastUse < entries[slot].lastUse) {
        slot = i;
      }
    }
    if (entries[slot] != null) {
      closeAll(entries[slot].tensors);
    }
    entries[slot] = entry;
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
    for (int i = 0; i < entries.length; i++) {
      if (entries[i] != null) {
        closeAll(entries[i].tensors);
        entries[i] = null;
      }
    }
  }

  /** One prepared call: the shapes it is for, its fed tensors and their native memory. */
  private static final class Entry {
    final long[][] shapes;
    final List<Integer> fetched;
    final TType[] tensors;
    final ByteBuffer[] views;
    final Session.Runner runner;
    long lastUse;

    Entry(
        long[][] shapes,
        List<Integer> fetched,
        TType[] tensors,
        ByteBuffer[] views,
        Session.Runner runner) {
      this.shapes = shapes;
      this.fetched = fetched;
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
