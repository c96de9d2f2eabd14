package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What all REST clients together, or one small request, could take of the server before {@link
 * HttpLimits} (an attacker's findings): a few kilobytes of gzip that parse into millions of JSON
 * values, bodies held half-sent on many connections, a body that never ends, idle sockets without
 * number, a transfer coding the server does not know, and a body that does not decompress. Each is
 * answered with a status naming what is wrong (or refused at accept), and a legitimate request is
 * served right after. Over raw sockets on 127.0.0.1.
 */
@Timeout(120)
class RestSharedLimitsEndToEndTest {
  private static final long MAX_ELEMENTS = 10_000;
  private static final long MAX_BUFFERED = 8 << 20;

  private static TestServer server;

  @BeforeAll
  static void startServer() throws IOException {
    server =
        TestServers.start(
            TestServers.config(ExampleRepository.only("simple"))
                .httpLimits(new HttpLimits(100, MAX_BUFFERED, Duration.ofSeconds(30), MAX_ELEMENTS))
                .build());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @Test
  void shouldRefuseJsonOfMoreValuesThanTheLimitPlainOrCompressed() throws Exception {
    // 20,000 empty objects: 60 KB of JSON, 40,000 tokens for the parser.
    byte[] plain = emptyObjects(20_000);
    // 1,000,000 of them: 3 MB of JSON (under the 4 MiB body limit) in a few KB of gzip.
    byte[] gzip = gzip(emptyObjects(1_000_000));

    RawHttp.Response a = exchange(RawHttp.post("/v2/models/simple/infer", plain));
    RawHttp.Response b =
        exchange(
            RawHttp.post(
                "/v2/models/simple/infer",
                gzip,
                "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"));

    for (RawHttp.Response r : List.of(a, b)) {
      assertEquals(400, r.status(), r.text());
      assertTrue(
          r.text().contains("more than " + MAX_ELEMENTS + " values")
              && r.text().contains("--http-max-request-elements"),
          r.text());
    }
    assertServes();
  }

  @Test
  void shouldAnswer503WhenTheBodiesHeldWouldPassTheBudgetAndGiveItBackOnClose() throws Exception {
    int declared = 4 << 20;
    List<Socket> senders = new ArrayList<>();
    try {
      // Three bodies of 4 MiB, each sent but for its end: 3.5 + 3.5 + 2 MiB against 8 MiB. Which
      // of them crosses the budget depends on the order the server reads them in.
      for (int sent : new int[] {declared - (512 << 10), declared - (512 << 10), 2 << 20}) {
        Socket s = RawHttp.connect(server);
        senders.add(s);
        sendHead(s, declared);
        s.getOutputStream().write(new byte[sent]);
        s.getOutputStream().flush();
      }

      Socket refused = firstToAnswer(senders, Duration.ofSeconds(20));
      RawHttp.Response r = RawHttp.Response.read(refused.getInputStream());

      assertEquals(503, r.status(), r.text());
      assertTrue(r.text().contains("--http-max-buffered-input-bytes"), r.text());
    } finally {
      for (Socket s : senders) {
        s.close();
      }
    }
    // The held bodies' bytes are given back when their connections close.
    assertServesWithin(
        Duration.ofSeconds(5),
        () ->
            exchange(RawHttp.post("/v2/models/simple/infer", simpleBody(3 << 20))).status() == 200);
  }

  @Test
  void shouldGiveTheBudgetBackWhenABodyFailsToDecompressWithAnotherRequestBehindIt()
      throws Exception {
    byte[] badTrailer = gzip(simpleBody(0));
    badTrailer[badTrailer.length - 8] ^= 0x55; // the CRC: the stream inflates, its check fails
    byte[] behind = gzip(new byte[3 << 20]); // 3 MiB of zeros in a few KB
    String gzipHeaders = "Content-Type: application/json\r\nContent-Encoding: gzip\r\n";
    // Three times 3 MiB would exhaust the 8 MiB budget if the request behind leaked its bytes.
    for (int i = 0; i < 3; i++) {
      try (Socket s = RawHttp.connect(server)) {
        OutputStream out = s.getOutputStream();
        out.write(RawHttp.post("/v2/models/simple/infer", badTrailer, gzipHeaders));
        out.write(RawHttp.post("/v2/models/simple/infer", behind, gzipHeaders));
        out.flush();

        RawHttp.Response r = RawHttp.Response.read(s.getInputStream());

        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("Content-Encoding"), r.text());
      }
    }
    assertServesWithin(
        Duration.ofSeconds(5),
        () ->
            exchange(RawHttp.post("/v2/models/simple/infer", simpleBody(3 << 20))).status() == 200);
  }

  @Test
  void shouldRefuseATransferCodingItDoesNotKnowAndABodyThatDoesNotDecompress() throws Exception {
    byte[] body = simpleBody(0);
    RawHttp.Response unknown =
        exchange(
            RawHttp.post(
                "/v2/models/simple/infer",
                body,
                "Content-Type: application/json\r\nTransfer-Encoding: xchunked\r\n"));
    RawHttp.Response gzipCoding =
        exchange(
            RawHttp.post(
                "/v2/models/simple/infer",
                gzip(body),
                "Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n"));
    byte[] corrupt = new byte[64 << 10]; // many chunks: one answer all the same
    corrupt[0] = 0x1f;
    corrupt[1] = (byte) 0x8b;
    corrupt[2] = 8;
    for (int i = 4; i < corrupt.length; i++) {
      corrupt[i] = (byte) 0xff;
    }
    RawHttp.Response undecodable =
        exchange(
            RawHttp.post(
                "/v2/models/simple/infer",
                corrupt,
                "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"));

    assertEquals(501, unknown.status(), unknown.text());
    assertTrue(unknown.text().contains("xchunked"), unknown.text());
    assertEquals(501, gzipCoding.status(), gzipCoding.text());
    assertEquals(400, undecodable.status(), undecodable.text());
    assertTrue(undecodable.text().contains("Content-Encoding"), undecodable.text());
    assertServes();
  }

  @Test
  void shouldAnswer408ToABodyThatDoesNotArriveInTimeAndCutOffATrickledHead() throws Exception {
    try (TestServer slow =
        TestServers.start(
            TestServers.config(ExampleRepository.only("simple"))
                .httpLimits(new HttpLimits(100, MAX_BUFFERED, Duration.ofSeconds(1), MAX_ELEMENTS))
                .build())) {
      try (Socket s = RawHttp.connect(slow)) {
        sendHead(s, 1000);
        s.getOutputStream().write(new byte[10]);
        s.getOutputStream().flush();
        long start = System.nanoTime();

        RawHttp.Response r = RawHttp.Response.read(s.getInputStream());

        assertEquals(408, r.status(), r.text());
        assertTrue(r.text().contains("--http-input-receive-timeout-secs"), r.text());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "answered at its timeout");
      }
      // Headers trickled a line at a time: each byte restarts the idle timeout, not this one.
      try (Socket s = RawHttp.connect(slow)) {
        OutputStream out = s.getOutputStream();
        out.write(
            "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < 40 && !closed; i++) {
          Thread.sleep(250);
          try {
            out.write(("X-Line-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (IOException reset) {
            closed = true;
          }
          s.setSoTimeout(1);
          try {
            closed |= s.getInputStream().read() == -1;
          } catch (SocketTimeoutException stillOpen) {
            // not yet
          }
        }
        assertTrue(closed, "a head still arriving after 10 s was not cut off");
        assertTrue(System.nanoTime() - start < 8_000_000_000L, "cut off near its 1 s limit");
      }
    }
  }

  @Test
  void shouldCloseConnectionsBeyondTheLimitAsAcceptedAndFreeTheirSlots() throws Exception {
    try (TestServer capped =
        TestServers.start(
            TestServers.config(ExampleRepository.only("simple"))
                .httpLimits(new HttpLimits(3, MAX_BUFFERED, Duration.ofSeconds(30), MAX_ELEMENTS))
                .build())) {
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          sockets.add(RawHttp.connect(capped));
        }
        // Whichever the server accepted last is closed at once; the other three stay open.
        Thread.sleep(500);
        Socket closed = theOneClosed(sockets);
        sockets.remove(closed);
        closed.close();
        sockets.remove(0).close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        RawHttp.Response live = null;
        while (live == null && System.nanoTime() < deadline) {
          try (Socket again = RawHttp.connect(capped)) {
            again.getOutputStream().write(RawHttp.get("/v2/health/live", 0));
            live = RawHttp.Response.read(again.getInputStream());
          } catch (IOException slotNotYetFree) {
            Thread.sleep(100);
          }
        }
        assertTrue(live != null && live.status() == 200, "a freed slot is taken again");
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }

  /** The first of {@code sockets} with something to read. */
  private static Socket firstToAnswer(List<Socket> sockets, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (Socket s : sockets) {
        if (s.getInputStream().available() > 0) {
          return s;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("none of the connections was answered within " + within);
  }

  /** The one of {@code sockets} that the server closed; the others must stay open and silent. */
  private static Socket theOneClosed(List<Socket> sockets) throws IOException {
    Socket closed = null;
    for (Socket s : sockets) {
      s.setSoTimeout(1000);
      try {
        int read = s.getInputStream().read();
        assertEquals(-1, read, "an idle connection got data");
        assertTrue(closed == null, "more than one connection closed");
        closed = s;
      } catch (SocketTimeoutException open) {
        // Admitted: open, and nothing to say until asked.
      }
    }
    assertTrue(closed != null, "no connection beyond the limit was closed");
    return closed;
  }

  private static void sendHead(Socket s, int contentLength) throws IOException {
    s.getOutputStream()
        .write(
            ("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                    + "\r\nContent-Length: "
                    + contentLength
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
  }

  private static RawHttp.Response exchange(byte[] request) throws IOException {
    try (Socket s = RawHttp.connect(server)) {
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      return RawHttp.Response.read(in);
    }
  }

  /** A valid request to {@code simple}, padded with {@code padding} spaces. */
  private static byte[] simpleBody(int padding) {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      data.append(i == 0 ? "" : ",").append(i);
    }
    String json =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"datatype\":\"INT32\",\"shape\":[1,16],\"data\":["
            + data
            + "]},{\"name\":\"INPUT1\",\"datatype\":\"INT32\",\"shape\":[1,16],\"data\":["
            + data
            + "]}]}";
    return (json + " ".repeat(padding)).getBytes(StandardCharsets.US_ASCII);
  }

  private static void assertServes() throws IOException {
    RawHttp.Response r = exchange(RawHttp.post("/v2/models/simple/infer", simpleBody(0)));
    assertEquals(200, r.status(), r.text());
  }

  private interface Probe {
    boolean passes() throws Exception;
  }

  private static void assertServesWithin(Duration time, Probe probe) throws Exception {
    long deadline = System.nanoTime() + time.toNanos();
    while (!probe.passes()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still refused after " + time);
      }
      Thread.sleep(100);
    }
  }

  private static byte[] emptyObjects(int n) {
    StringBuilder b = new StringBuilder(n * 3 + 16).append("{\"inputs\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "{}" : ",{}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
