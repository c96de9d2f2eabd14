package io.ringserve.server.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringserve.server.GrpcSecurity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routes sorted into Triton's restricted-API groups, as its HTTP handlers are. */
class ApiRestrictionsTest {
  @Test
  void shouldSortRoutesIntoTritonsGroups() {
    assertEquals("health", group("v2", "health", "live"));
    assertEquals("health", group("v2", "models", "m", "versions", "1", "ready"));
    assertEquals("metadata", group("v2"));
    assertEquals("metadata", group("v2", "models", "m"));
    assertEquals("metadata", group("v2", "models", "m", "versions", "2"));
    assertEquals("inference", group("v2", "models", "m", "infer"));
    assertEquals("inference", group("v2", "models", "m", "generate_stream"));
    assertEquals("model-config", group("v2", "models", "m", "config"));
    assertEquals("statistics", group("v2", "models", "stats"));
    assertEquals("statistics", group("v2", "models", "m", "versions", "1", "stats"));
    assertEquals("model-repository", group("v2", "repository", "models", "m", "load"));
    assertEquals("shared-memory", group("v2", "systemsharedmemory", "status"));
    assertEquals("trace", group("v2", "trace", "setting"));
    assertEquals("logging", group("v2", "logging"));
    assertNull(group("metrics"));
    assertNull(group("v2", "models", "m", "unknown"));
  }

  @Test
  void shouldRefuseAGroupRestrictedTwice() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ApiRestrictions(
                List.of(
                    GrpcSecurity.Restriction.parseHttp("health:a=1"),
                    GrpcSecurity.Restriction.parseHttp("health,metadata:b=2"))));
  }

  private static String group(String... path) {
    return ApiRestrictions.groupOf(path);
  }
}
