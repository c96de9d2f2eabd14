package io.ringserve.server.internal.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.ringserve.server.GrpcSecurity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Triton's restricted protocols: a call to a method of a restricted group without the group's
 * header, or with another value, is answered {@code UNAVAILABLE} "This protocol is restricted,
 * expecting header '<key>'", as Triton answers. Methods of no group (server reflection) are never
 * restricted.
 *
 * <p>Immutable and thread-safe. Cost per call: one hash lookup, and a header lookup for a
 * restricted method.
 */
public final class ProtocolRestrictions implements ServerInterceptor {
  private static final String V2 = "inference.GRPCInferenceService/";

  /** Each method's group, as Triton sorts them. */
  private static final Map<String, String> GROUPS = groups();

  private final Map<String, GrpcSecurity.Restriction> byMethod = new HashMap<>();

  /** Enforces {@code restrictions}. */
  public ProtocolRestrictions(List<GrpcSecurity.Restriction> restrictions) {
    for (GrpcSecurity.Restriction r : restrictions) {
      GROUPS.forEach(
          (method, group) -> {
            if (r.protocols().contains(group)) {
              byMethod.put(method, r);
            }
          });
    }
  }

  /** The protocol group of a full method name, or {@code null} for none. */
  static String groupOf(String fullMethodName) {
    return GROUPS.get(fullMethodName);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    GrpcSecurity.Restriction restriction =
        byMethod.get(call.getMethodDescriptor().getFullMethodName());
    if (restriction != null) {
      String value =
          headers.get(Metadata.Key.of(restriction.key(), Metadata.ASCII_STRING_MARSHALLER));
      if (!restriction.value().equals(value)) {
        call.close(
            Status.UNAVAILABLE.withDescription(
                "This protocol is restricted, expecting header '" + restriction.key() + "'"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    return next.startCall(call, headers);
  }

  private static Map<String, String> groups() {
    Map<String, String> g = new HashMap<>();
    for (String m : List.of("ServerLive", "ServerReady", "ModelReady")) {
      g.put(V2 + m, "health");
    }
    g.put("grpc.health.v1.Health/Check", "health");
    g.put("grpc.health.v1.Health/Watch", "health");
    g.put("grpc.health.v1.Health/List", "health");
    g.put(V2 + "ServerMetadata", "metadata");
    g.put(V2 + "ModelMetadata", "metadata");
    g.put(V2 + "ModelInfer", "inference");
    g.put(V2 + "ModelStreamInfer", "inference");
    g.put(V2 + "ModelConfig", "model-config");
    g.put(V2 + "ModelStatistics", "statistics");
    for (String m : List.of("RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload")) {
      g.put(V2 + m, "model-repository");
    }
    for (String kind : List.of("System", "Cuda")) {
      for (String op : List.of("Status", "Register", "Unregister")) {
        g.put(V2 + kind + "SharedMemory" + op, "shared-memory");
      }
    }
    g.put(V2 + "TraceSetting", "trace");
    g.put(V2 + "LogSettings", "logging");
    return Map.copyOf(g);
  }
}
