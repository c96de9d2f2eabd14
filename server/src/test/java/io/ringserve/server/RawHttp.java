package io.ringserve.server;

import io.ringserve.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for tests that need what a client library hides: pipelined
 * requests, one connection reused on purpose, a request sent in parts, answers read one by one.
 */
final class RawHttp {
  private RawHttp() {}

  /** A connection to {@code server}'s HTTP port; reads give up after 20 s. */
  static Socket connect(TestServer server) throws IOException {
    URI base = URI.create(server.httpBase());
    Socket socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(20_000);
    return socket;
  }

  /** A GET whose headers are padded with {@code padding} bytes. */
  static byte[] get(String path, int padding) {
    return ("GET "
            + path
            + " HTTP/1.1\r\nHost: x\r\nX-Padding: "
            + "p".repeat(padding)
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A keep-alive POST of a JSON body. */
  static byte[] post(String path, byte[] body) {
    return post(path, body, "Content-Type: application/json\r\n");
  }

  /** A keep-alive POST of {@code body} with {@code headers} (each line ending CRLF) added. */
  static byte[] post(String path, byte[] body, String headers) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: x\r\n"
                + headers
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(body);
    return b.toByteArray();
  }

  /** An inference request body: INT32 {@code INPUT0 [1, 4]}, every value {@code value}. */
  static byte[] int32Json(int value) {
    return ("{\"inputs\":[{\"name\":\"INPUT0\",\"datatype\":\"INT32\",\"shape\":[1,4],\"data\":["
            + value
            + ","
            + value
            + ","
            + value
            + ","
            + value
            + "]}]}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** One HTTP/1.1 response with a Content-Length body. */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    static Response read(InputStream in) throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      int length = 0;
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(h.substring("content-length:".length()).trim());
        }
      }
      return new Response(status, in.readNBytes(length));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new SocketTimeoutException("connection closed mid-response: " + sb);
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }
}
