package io.ringserve.server.cli;

import io.ringserve.server.internal.grpc.ServerState;
import picocli.CommandLine;

/** Reports the server version for {@code --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"ringserve " + ServerState.version()};
  }
}
