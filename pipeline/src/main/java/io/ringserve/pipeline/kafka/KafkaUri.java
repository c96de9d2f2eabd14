package io.ringserve.pipeline.kafka;

/**
 * A Kafka topic as {@code --source} or {@code --sink} names it: {@code
 * kafka://HOST:PORT[,HOST:PORT...]/TOPIC}.
 *
 * @param bootstrapServers the brokers to start from, as Kafka's {@code bootstrap.servers}
 * @param topic the topic
 */
public record KafkaUri(String bootstrapServers, String topic) {
  private static final String SCHEME = "kafka://";

  /** Whether {@code text} names a Kafka topic rather than a file. */
  public static boolean matches(String text) {
    return text != null && text.startsWith(SCHEME);
  }

  /**
   * Parses {@code kafka://HOST:PORT/TOPIC}.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public static KafkaUri parse(String text) {
    if (!matches(text)) {
      throw new IllegalArgumentException(text + ": not a kafka://HOST:PORT/TOPIC address");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException(
          text + ": give the brokers and the topic, as kafka://HOST:PORT/TOPIC");
    }
    String servers = rest.substring(0, slash);
    String topic = rest.substring(slash + 1);
    for (String server : servers.split(",")) {
      int colon = server.lastIndexOf(':');
      if (colon <= 0 || colon == server.length() - 1) {
        throw new IllegalArgumentException(
            text + ": broker '" + server + "' has no port (kafka://HOST:PORT/TOPIC)");
      }
    }
    if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          text + ": '" + topic + "' is not a valid topic name (letters, digits, '.', '_', '-')");
    }
    return new KafkaUri(servers, topic);
  }

  @Override
  public String toString() {
    return SCHEME + bootstrapServers + "/" + topic;
  }
}
