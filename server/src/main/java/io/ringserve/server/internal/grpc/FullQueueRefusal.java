package io.ringserve.server.internal.grpc;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a large {@code ModelInfer} request whose model's queue is full before its body is copied
 * and parsed. Under overload most requests are refused, and for large tensors reading one into an
 * array and parsing it costs far more than answering it, on the event loop that must keep up with
 * every connection. The answer is the one {@code submit} gives for a full queue ({@code
 * UNAVAILABLE}, "Exceeds maximum queue size"), counted in the model's statistics as submit counts
 * it, once sent. A request that would have been refused for another reason once read (a malformed
 * body, too many elements, a bad shape) is then answered as a full queue's, as if it had come a
 * moment after a request that took the last place. Compressed messages are not looked at: their
 * stream cannot be read ahead.
 *
 * <p>The model's name and version are read from the message's first bytes: protobuf writers put
 * fields in number order, and they are fields 1 and 2. A message that starts otherwise, a model
 * that is unknown or not ready, or a queue with room is read as usual. Only messages of at least
 * {@link #MIN_BYTES} are looked at: for smaller ones the look would cost about what it saves.
 *
 * <p>Stateless apart from the repository it reads; called on the transport threads.
 */
final class FullQueueRefusal implements RequestParsing.EarlyRefusal {
  /** Messages smaller than this are read without a look (a few times a typical small request). */
  static final int MIN_BYTES = 16 * 1024;

  /** How far the look reads: a model name, a version and their tags fit in far less. */
  private static final int LOOK_BYTES = 512;

  private static final int MODEL_NAME_TAG = (1 << 3) | 2; // field 1, length-delimited
  private static final int MODEL_VERSION_TAG = (2 << 3) | 2; // field 2, length-delimited

  private final ModelRepository repository;

  FullQueueRefusal(ModelRepository repository) {
    this.repository = repository;
  }

  @Override
  public RequestParsing.Early refusal(InputStream message) throws IOException {
    if (message.available() < MIN_BYTES || !message.markSupported()) {
      return null;
    }
    message.mark(LOOK_BYTES);
    byte[] head;
    try {
      head = message.readNBytes(LOOK_BYTES);
    } finally {
      message.reset();
    }
    Named named = named(head);
    if (named == null) {
      return null;
    }
    return queueFull(repository, named.model(), named.version());
  }

  /**
   * The answer {@code submit} would give a request to {@code model} (version {@code version}, empty
   * for the latest) because its queue is full, and how to count it once sent; {@code null} if the
   * model is unknown, not ready or being replaced (the usual path says which), or has room.
   */
  static RequestParsing.Early queueFull(ModelRepository repository, String model, String version) {
    ServedModel served;
    try {
      served = repository.resolve(model, version);
    } catch (RuntimeException unknownOrNotReady) {
      return null; // the usual path says which, once the request is read
    }
    if (served.isRetiring()) {
      return null; // the usual path finds the version that replaces it
    }
    ModelScheduler scheduler = served.scheduler();
    InferenceException full = scheduler.fullQueueRefusal();
    if (full == null) {
      return null;
    }
    return new RequestParsing.Early(
        Statuses.statusOf(full, "model '" + model + "' refused the request"),
        scheduler::countRefused);
  }

  /** The model a request names, and its version (empty for the latest). */
  record Named(String model, String version) {}

  /**
   * The model name and version (empty if absent) at the start of a {@code ModelInferRequest}'s
   * bytes, or {@code null} if they do not start with a whole model name.
   */
  static Named named(byte[] head) {
    int[] at = {0};
    if (readVarint(head, at) != MODEL_NAME_TAG) {
      return null;
    }
    String name = readString(head, at);
    if (name == null) {
      return null;
    }
    long tag = readVarint(head, at);
    if (tag < 0) {
      return null; // what follows the name is cut off by the look: it may be the version
    }
    if (tag != MODEL_VERSION_TAG) {
      return new Named(name, "");
    }
    String version = readString(head, at);
    // A version cut off by the look: the usual path reads it.
    return version == null ? null : new Named(name, version);
  }

  /** A length-prefixed UTF-8 string at {@code at}, or {@code null} if it runs past {@code head}. */
  private static String readString(byte[] head, int[] at) {
    long length = readVarint(head, at);
    if (length < 0 || length > head.length - at[0]) {
      return null;
    }
    String value = new String(head, at[0], (int) length, StandardCharsets.UTF_8);
    at[0] += (int) length;
    return value;
  }

  /** A varint of at most 32 bits at {@code at}, or -1 if it runs past {@code head} or is longer. */
  private static long readVarint(byte[] head, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (at[0] >= head.length) {
        return -1;
      }
      byte b = head[at[0]++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    return -1;
  }
}
