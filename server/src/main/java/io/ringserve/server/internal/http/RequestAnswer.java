package io.ringserve.server.internal.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who answers one REST request: its route, or the server's default deadline ({@code
 * --http-default-deadline-secs}) if that passes first. The two race (a route answers from a
 * scheduler or parser thread, the deadline fires on the connection's event loop); one
 * compare-and-set decides, and the loser's response is never sent. A route that answers after the
 * deadline (its model returned late) is thus dropped, and the connection, already past that
 * request, never sees it.
 *
 * <p>Once the deadline has won, {@link #expired()} is true: the request's cancellation check reads
 * it, so a request still queued is skipped when its batch forms, as one whose caller left is.
 *
 * <p>Thread-safe; one object and one atomic per request.
 */
final class RequestAnswer {
  private static final int OPEN = 0;
  private static final int ANSWERED = 1;
  private static final int EXPIRED = 2;

  private final AtomicInteger state = new AtomicInteger(OPEN);

  /** The route has an answer: true if it is the one to send (the deadline has not answered). */
  boolean claimForRoute() {
    return state.compareAndSet(OPEN, ANSWERED);
  }

  /** The deadline passed: true if the deadline's answer is the one to send. */
  boolean claimForDeadline() {
    return state.compareAndSet(OPEN, EXPIRED);
  }

  /** True once the deadline has answered: the request's work is no longer wanted. */
  boolean expired() {
    return state.get() == EXPIRED;
  }
}
