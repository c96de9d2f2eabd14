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
   * JSON bodies (or binary requests' JSON headers) up to this size are parsed on the event loop.
   * The JSON of a few thousand numbers parses in tens of microseconds, less than a hand-off to
   * another thread and back costs in latency; larger ones go to the pool.
   */
  static final int INLINE_BYTES = 32 * 1024;

  /** Parses waiting for a thread at most. */
  static final int QUEUE = 1024;

  private final ThreadPoolExecutor pool;

  private BodyParsers(ThreadPoolExecutor pool) {
    this.pool = pool;
  }

  /** Starts a pool of half the cores' threads (at least one), started as needed. */
  static BodyParsers start() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
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
