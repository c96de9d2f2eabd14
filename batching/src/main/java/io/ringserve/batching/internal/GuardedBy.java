package io.ringserve.batching.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks state that only the holder of a lock or role may touch: for a reference to a mutable
 * object, the object's whole state. {@link #value} names the guard as the reader finds it, for
 * example {@code "BatchingRole.held"}.
 *
 * <p>Documentation only, checked by review (as grpc-java's use of JSR 305's annotation, without the
 * dependency): nothing reads it at run time.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.FIELD, ElementType.METHOD})
@interface GuardedBy {
  String value();
}
