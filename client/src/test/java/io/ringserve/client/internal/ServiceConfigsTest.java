package io.ringserve.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ringserve.client.RetryPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service config: retries throttled when there are retries, nothing of them when there are
 * none.
 */
class ServiceConfigsTest {
  @Test
  void shouldThrottleRetriesWhenThePolicyRetries() {
    Map<String, Object> config = ServiceConfigs.of(RetryPolicy.DEFAULT, false);
    assertEquals(Map.of("maxTokens", 200.0, "tokenRatio", 0.1), config.get("retryThrottling"));
  }

  @Test
  void shouldLeaveRetriesOutWhenThePolicyDoesNotRetry() {
    Map<String, Object> config = ServiceConfigs.of(RetryPolicy.NONE, true);
    assertFalse(config.containsKey("retryThrottling"));
    assertFalse(config.containsKey("methodConfig"));
  }

  @Test
  void shouldWriteDurationsAsDecimalSeconds() {
    assertEquals("0.050000000s", ServiceConfigs.seconds(java.time.Duration.ofMillis(50)));
  }
}
