package io.ringserve.server.internal.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Parses request bodies' JSON within a bound on its values: every value and every bracket of an
 * object or array counts ({@code --http-max-request-elements}), as it is read, so that a small body
 * (or a compressed one) of many tiny values cannot become a tree that fills the heap. Messages name
 * what is wrong without the parser's class or option names. Thread-safe and immutable.
 */
final class RequestJson {
  // The parser's hints name its own option classes ("from `StreamReadConstraints...`", "enable
  // `JsonReadFeature...` to allow"): of no use to a client.
  private static final Pattern PARSER_HINTS =
      Pattern.compile("(, from `[^`]*`|:? ?(enable|disable) `[^`]*`( to allow)?|`[^`]*`)");

  private final ObjectMapper mapper;
  private final long maxElements;

  private RequestJson(ObjectMapper mapper, long maxElements) {
    this.mapper = mapper;
    this.maxElements = maxElements;
  }

  /** A reader that refuses JSON of more than {@code maxElements} values and brackets. */
  static RequestJson limitedTo(long maxElements) {
    if (maxElements < 1) {
      throw new IllegalArgumentException("maxElements must be >= 1, got " + maxElements);
    }
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxTokenCount(maxElements).build())
            .build();
    return new RequestJson(new ObjectMapper(factory), maxElements);
  }

  /**
   * The JSON text in {@code body[offset, offset + length)}; null if it holds no value.
   *
   * @throws io.grpc.StatusRuntimeException RESOURCE_EXHAUSTED over the bound, INVALID_ARGUMENT if
   *     it does not parse, each with a message that says which
   */
  JsonNode read(byte[] body, int offset, int length) {
    try {
      return mapper.readTree(body, offset, length);
    } catch (StreamConstraintsException e) {
      if (e.getOriginalMessage().startsWith("Token count")) {
        throw Status.RESOURCE_EXHAUSTED
            .withDescription(
                "request JSON holds more than "
                    + maxElements
                    + " values and brackets (--http-max-request-elements)")
            .asRuntimeException();
      }
      throw unparsable(e);
    } catch (JsonProcessingException e) {
      throw unparsable(e);
    } catch (IOException e) {
      throw HttpStatuses.invalid("failed to parse the request JSON buffer: " + e.getMessage());
    }
  }

  private static RuntimeException unparsable(JsonProcessingException e) {
    String reason = PARSER_HINTS.matcher(e.getOriginalMessage()).replaceAll("").trim();
    return HttpStatuses.invalid("failed to parse the request JSON buffer: " + reason);
  }
}
