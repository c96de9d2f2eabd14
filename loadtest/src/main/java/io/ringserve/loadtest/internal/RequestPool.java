package io.ringserve.loadtest.internal;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.ringserve.loadtest.ContentsMode;
import io.ringserve.loadtest.LoadTestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * The requests a run sends, built once before it starts and cycled through: making inputs per call
 * would spend the CPU the server under test needs, and protobuf messages are immutable, so one
 * instance can be in flight on many calls at once. Thread-safe after construction.
 *
 * <p>Memory: one request's tensors times the pool size; the pool shrinks so that it stays under
 * {@link #MAX_POOL_BYTES}.
 */
public final class RequestPool {
  /** Upper bound on the pool's tensor bytes. */
  public static final long MAX_POOL_BYTES = 64L << 20;

  private final ModelInferRequest[] requests;

  private RequestPool(List<ModelInferRequest> requests) {
    this.requests = requests.toArray(new ModelInferRequest[0]);
  }

  /** The request for call number {@code sequence} (any non-negative number). */
  public ModelInferRequest get(long sequence) {
    return requests[(int) Math.floorMod(sequence, (long) requests.length)];
  }

  /** Distinct requests in the pool. */
  public int size() {
    return requests.length;
  }

  /**
   * A pool of {@code size} requests with random values: integers in [0, 100), floats in [0, 1),
   * random booleans, and BYTES as decimal integers in [0, 1000) (which numeric string models such
   * as Triton's {@code simple_string} accept).
   */
  public static RequestPool random(
      String model,
      String version,
      List<InputLayout> layouts,
      ContentsMode mode,
      int size,
      long seed) {
    Objects.requireNonNull(layouts, "layouts");
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    long bytes = 0;
    for (InputLayout l : layouts) {
      int es = TensorEncoding.elementSize(l.datatype());
      bytes += l.elements() * (es < 0 ? 7 : es);
    }
    int n = (int) Math.max(1, Math.min(size, MAX_POOL_BYTES / Math.max(1, bytes)));
    List<ModelInferRequest> list = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + r);
      ModelInferRequest.Builder b = header(model, version);
      for (InputLayout l : layouts) {
        add(
            b,
            l,
            l.wireShape(),
            TensorEncoding.raw(l.datatype(), l.elements(), randomValues(l.datatype(), random)),
            mode);
      }
      list.add(b.build());
    }
    return new RequestPool(list);
  }

  /**
   * A pool with one request per sample of a {@code --data} file. Each sample's values are one batch
   * row, repeated to fill the batch.
   *
   * @throws LoadTestException naming the file, sample and input that do not fit the model
   */
  public static RequestPool fromData(
      String model,
      String version,
      List<InputLayout> layouts,
      ContentsMode mode,
      Path file,
      List<Map<String, DataFile.Value>> samples) {
    List<ModelInferRequest> list = new ArrayList<>(samples.size());
    for (int s = 0; s < samples.size(); s++) {
      Map<String, DataFile.Value> sample = samples.get(s);
      String where = "--data " + file + ": sample " + (s + 1);
      for (String name : sample.keySet()) {
        if (layouts.stream().noneMatch(l -> l.name().equals(name))) {
          throw new LoadTestException(
              where + " gives input " + name + ", which model '" + model + "' does not have");
        }
      }
      ModelInferRequest.Builder b = header(model, version);
      for (InputLayout l : layouts) {
        DataFile.Value v = sample.get(l.name());
        if (v == null) {
          throw new LoadTestException(where + " lacks input " + l.name());
        }
        InputLayout resolved = l;
        if (v.shape() != null) {
          resolved =
              l.withRowShape(
                  InputLayouts.fit(
                      where + " input " + l.name(), l.declared(), l.rowShape(), v.shape()));
        } else if (!l.isResolved()) {
          throw new LoadTestException(
              where
                  + " input "
                  + l.name()
                  + ": the model's shape "
                  + l.declared()
                  + " is variable; give {\"content\": [...], \"shape\": [...]} or --shape");
        }
        long row = resolved.rowElements();
        if (v.values().size() != row) {
          throw new LoadTestException(
              where
                  + " input "
                  + l.name()
                  + " has "
                  + v.values().size()
                  + " value(s); its shape "
                  + resolved.rowShape()
                  + " needs "
                  + row);
        }
        ByteString raw;
        try {
          raw =
              TensorEncoding.raw(
                  resolved.datatype(), resolved.elements(), i -> v.values().get((int) (i % row)));
        } catch (IllegalArgumentException | ClassCastException e) {
          throw new LoadTestException(
              where + " input " + l.name() + " (" + l.datatype() + "): " + e.getMessage(), e);
        }
        add(b, resolved, resolved.wireShape(), raw, mode);
      }
      list.add(b.build());
    }
    return new RequestPool(list);
  }

  private static ModelInferRequest.Builder header(String model, String version) {
    return ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version);
  }

  private static void add(
      ModelInferRequest.Builder b, InputLayout l, long[] shape, ByteString raw, ContentsMode mode) {
    InferInputTensor.Builder t =
        InferInputTensor.newBuilder().setName(l.name()).setDatatype(l.datatype());
    for (long d : shape) {
      t.addShape(d);
    }
    if (mode == ContentsMode.TYPED) {
      t.setContents(TensorEncoding.typed(l.name(), l.datatype(), raw));
    } else {
      b.addRawInputContents(raw);
    }
    b.addInputs(t);
  }

  private static LongFunction<Object> randomValues(String datatype, SplittableRandom random) {
    return switch (datatype) {
      case "BOOL" -> i -> random.nextBoolean();
      case "FP16", "BF16", "FP32", "FP64" -> i -> random.nextDouble();
      case "BYTES" -> i -> Integer.toString(random.nextInt(1000));
      default -> i -> random.nextInt(100);
    };
  }
}
