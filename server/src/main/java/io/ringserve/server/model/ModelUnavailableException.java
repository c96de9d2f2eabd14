package io.ringserve.server.model;

/**
 * A request named a model the repository knows but cannot serve (it failed to load, or is
 * unloading). Answered UNAVAILABLE, with the load error as the message.
 */
public final class ModelUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelUnavailableException(String message) {
    super(message);
  }
}
