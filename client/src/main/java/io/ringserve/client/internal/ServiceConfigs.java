package io.ringserve.client.internal;

import io.ringserve.client.RetryPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the gRPC service config a client channel runs with: {@code round_robin} load balancing,
 * optionally client-side health checking, and a retry policy for {@code UNAVAILABLE} on every
 * method of {@code inference.GRPCInferenceService}, throttled ({@link #RETRY_MAX_TOKENS}). The map
 * has the JSON shape gRPC parses (numbers as {@code Double}, durations as {@code "1.5s"} strings).
 * Stateless.
 *
 * <p>Why throttled: an overloaded server refuses with {@code UNAVAILABLE} (a full queue), and
 * retrying every refusal would multiply the load by up to the policy's attempts at the worst
 * moment. gRPC's retry throttling keeps a token count per channel: each attempt that fails with a
 * retryable status takes one token, each call answered gives back {@link #RETRY_TOKEN_RATIO}, and
 * retries are made only while more than half of {@link #RETRY_MAX_TOKENS} remain. So a burst of
 * failures (one of several servers restarting) is still retried, while a run of failures turns
 * retries off until enough calls are answered again (ten per token short of half).
 *
 * <p>Health checking ({@code healthCheckConfig}) takes effect with grpc-services on the class path,
 * whose round_robin watches {@code grpc.health.v1.Health} on each connection and leaves out a
 * server until it says {@code SERVING}: a RingServe server says {@code NOT_SERVING} from the start
 * of its drain delay, so calls move off it before it sends GOAWAY. A server without the health
 * service ({@code UNIMPLEMENTED}) is picked as if health checking were off.
 */
public final class ServiceConfigs {
  /** The service whose methods the retry policy covers. */
  public static final String SERVICE = "inference.GRPCInferenceService";

  /**
   * The health service name watched: the empty name, the whole server, which every server with a
   * health service answers (a RingServe server gives it the same status as {@link #SERVICE}).
   */
  public static final String HEALTH_SERVICE = "";

  /**
   * The channel's retry token count when full; retries stop at half of it. Sized so that a burst of
   * about 100 failed attempts, the calls in flight on one of several servers when it stops, is
   * still retried on the others (gRPC's example value, 10, would retry only four of them).
   */
  public static final double RETRY_MAX_TOKENS = 200;

  /** Tokens a successful call gives back. */
  public static final double RETRY_TOKEN_RATIO = 0.1;

  private ServiceConfigs() {}

  public static Map<String, Object> of(RetryPolicy retry, boolean healthChecking) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
    if (healthChecking) {
      config.put("healthCheckConfig", Map.of("serviceName", HEALTH_SERVICE));
    }
    if (retry.retries()) {
      Map<String, Object> policy = new LinkedHashMap<>();
      policy.put("maxAttempts", (double) retry.maxAttempts());
      policy.put("initialBackoff", seconds(retry.initialBackoff()));
      policy.put("maxBackoff", seconds(retry.maxBackoff()));
      policy.put("backoffMultiplier", retry.backoffMultiplier());
      policy.put("retryableStatusCodes", List.of("UNAVAILABLE"));
      Map<String, Object> method = new LinkedHashMap<>();
      method.put("name", List.of(Map.of("service", SERVICE)));
      method.put("retryPolicy", policy);
      config.put("methodConfig", List.of(method));
      config.put(
          "retryThrottling",
          Map.of("maxTokens", RETRY_MAX_TOKENS, "tokenRatio", RETRY_TOKEN_RATIO));
    }
    return config;
  }

  /** A duration as the service config writes it: decimal seconds with an {@code s}. */
  static String seconds(Duration d) {
    return d.getSeconds() + "." + String.format("%09d", d.getNano()) + "s";
  }
}
