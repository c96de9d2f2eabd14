package io.ringserve.server.model;

/** A request named a model or version the repository does not have. Answered NOT_FOUND. */
public final class ModelNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelNotFoundException(String message) {
    super(message);
  }
}
