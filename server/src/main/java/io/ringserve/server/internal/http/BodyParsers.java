package io.ringserve.server.internal.http;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where large JSON request bodies are parsed: a small bounded pool, so that a client sending a body
 * of many megabytes of JSON holds one of these threads for the parse, never an event loop (which
 * would stall every other connection on that loop, health checks included). Small bodies are parsed
 * inline by the caller: the hop to a pool costs more than their parse.
 *
 * <p>Bounded in threads and in queued parses; a parse that finds the queue full is refused and its
 * request answered 503. Each connection has at most one request in flight, so the queue only fills
 * when more than {@link #QUEUE} connections send large JSON bodies at once. Thread-safe.
 */
final class BodyParsers implements AutoCloseable {
  /**
   * JSON bodies (or binary requests' JSON headers) up to this size are parsed on the event loop: a
   * small body's parse costs less than the hand-off to another thread, while a larger one would
   * hold the loop's other connections for longer than an answer takes (docs/PERFORMANCE.md, "REST:
   * where JSON bodies are parsed", has the parse times). A binary request's JSON header is far
   * below this; {@code simple}'s JSON body is too; {@code mlp}'s (784 numbers) goes to the pool.
   */
  static final int INLINE_BYTES = 8 * 1024;

  /** Parses waiting for a thread at most. */
  static final int QUEUE = 1024;

  private final ThreadPoolExecutor pool;

  private BodyParsers(ThreadPoolExecutor pool) {
    this.pool = pool;
  }

  /**
   * Starts a pool of one thread per core, started as needed: parsing is all CPU, so more threads
   * would only take turns, and fewer would leave JSON-heavy load (say {@code mlp} in JSON) short of
   * what the event loops parsed before.
   */
  static BodyParsers start() {
    int threads = Runtime.getRuntime().availableProcessors();
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "ringserve-http-json-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return new BodyParsers(pool);
  }

  /** Whether a JSON text of {@code jsonBytes} bytes is parsed off the event loop. */
  static boolean offload(long jsonBytes) {
    return jsonBytes > INLINE_BYTES;
  }

  /** The pool, for parses that {@link #offload}; may throw {@link RejectedExecutionException}. */
  Executor executor() {
    return pool;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
