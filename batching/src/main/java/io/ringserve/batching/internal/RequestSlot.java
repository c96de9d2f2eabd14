package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;

/**
 * One preallocated slot of a scheduler's ring buffer: the request a producer handed over and the
 * priority level it was admitted at.
 *
 * <p>Written by one producer between claim and publish, read and cleared by the holder of the
 * batching role after publish; the ring's sequences order those accesses, so the fields need no
 * synchronisation.
 */
final class RequestSlot {
  InferenceRequest request;
  int level;
}
