package io.ringserve.server.internal.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.ringserve.server.GrpcSecurity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Triton's {@code --http-restricted-api}: a request to a route of a restricted group without the
 * group's header, or with another value, is answered 403 {@code {"error":"This API is restricted,
 * expecting header '<key>'"}}, before its method or body is looked at, as Triton's HTTP server
 * does. Routes of no group (unknown paths) are never restricted; they get their 404.
 *
 * <p>Immutable and thread-safe. Cost per request: nothing without restrictions; otherwise a look at
 * the path's first segments and one header lookup.
 */
final class ApiRestrictions {
  static final ApiRestrictions NONE = new ApiRestrictions(List.of());

  private final Map<String, GrpcSecurity.Restriction> byGroup = new HashMap<>();

  /**
   * @throws IllegalArgumentException if a group is restricted more than once
   */
  ApiRestrictions(List<GrpcSecurity.Restriction> restrictions) {
    for (GrpcSecurity.Restriction r : restrictions) {
      for (String group : r.protocols()) {
        if (byGroup.put(group, r) != null) {
          throw new IllegalArgumentException(
              "api '" + group + "' is restricted more than once (--http-restricted-api)");
        }
      }
    }
  }

  /** Why the request is refused, or {@code null} if it may be served. */
  String refusal(String[] path, HttpHeaders headers) {
    if (byGroup.isEmpty()) {
      return null;
    }
    String group = groupOf(path);
    GrpcSecurity.Restriction r = group == null ? null : byGroup.get(group);
    if (r == null || r.value().equals(headers.get(r.key()))) {
      return null;
    }
    return "This API is restricted, expecting header '" + r.key() + "'";
  }

  /** The group of a route, as Triton sorts its HTTP handlers, or {@code null} for none. */
  static String groupOf(String[] p) {
    int n = p.length;
    if (n == 0 || !p[0].equals("v2")) {
      return null;
    }
    if (n == 1) {
      return "metadata"; // server metadata
    }
    return switch (p[1]) {
      case "health" -> "health";
      case "repository" -> "model-repository";
      case "systemsharedmemory", "cudasharedmemory" -> "shared-memory";
      case "trace" -> "trace";
      case "logging" -> "logging";
      case "models" -> n == 3 && p[2].equals("stats") ? "statistics" : modelGroup(p);
      default -> null;
    };
  }

  /** {@code /v2/models/{m}[/versions/{v}][/kind...]}. */
  private static String modelGroup(String[] p) {
    int kind = p.length >= 5 && p[3].equals("versions") ? 5 : 3;
    if (p.length < 3) {
      return null;
    }
    if (p.length <= kind) {
      return "metadata";
    }
    return switch (p[kind]) {
      case "ready" -> "health";
      case "infer", "generate", "generate_stream" -> "inference";
      case "config" -> "model-config";
      case "stats" -> "statistics";
      case "trace" -> "trace";
      default -> null;
    };
  }
}
