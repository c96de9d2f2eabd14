package io.ringserve.server.cli;

import io.ringserve.server.GrpcSecurity;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Triton's {@code --http-restricted-api} flag of {@code serve}. A picocli mixin. */
final class HttpRestrictionOptions {
  @Option(
      names = "--http-restricted-api",
      paramLabel = "<api>[,...]:<key>=<value>",
      description =
          "Serve the REST routes of these API groups only to requests with header <key>: <value>;"
              + " others get 403 (repeatable; groups as --grpc-restricted-protocol).")
  List<String> restrictedApis = new ArrayList<>();

  /**
   * The restrictions the flag says.
   *
   * @throws IllegalArgumentException naming the flag, for a malformed value or a group restricted
   *     twice
   */
  List<GrpcSecurity.Restriction> restrictions() {
    List<GrpcSecurity.Restriction> all = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (String spec : restrictedApis) {
      GrpcSecurity.Restriction r = GrpcSecurity.Restriction.parseHttp(spec);
      for (String group : r.protocols()) {
        if (seen.contains(group)) {
          throw new IllegalArgumentException(
              "api '" + group + "' is restricted more than once (--http-restricted-api)");
        }
        seen.add(group);
      }
      all.add(r);
    }
    return all;
  }
}
