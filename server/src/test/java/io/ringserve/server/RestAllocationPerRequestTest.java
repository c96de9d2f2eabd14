package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the server allocates per REST request on the {@code simple} model, measured as {@link
 * AllocationPerRequestTest} measures the gRPC path: only server threads are counted; the client is
 * 8 threads named {@code client-}, each with one keep-alive connection over a plain socket (so no
 * client library thread is counted as the server's). The figures are printed; the test fails if
 * they grow past bounds above today's, so that a regression on the HTTP hot path is seen.
 */
class RestAllocationPerRequestTest {
  /**
   * JSON in and out: measured at about 24 KiB per request (noisy, shared machine): the JSON tree of
   * the request, its conversion to the raw layout, and the JSON answer, on top of what the gRPC
   * path's decode, batch and split cost. The bound leaves room for noise, not for a new copy.
   */
  private static final long MAX_JSON_BYTES_PER_REQUEST = 40 * 1024;

  /** Binary tensors in and out: measured at about 18 KiB per request (noisy, shared machine). */
  private static final long MAX_BINARY_BYTES_PER_REQUEST = 32 * 1024;

  private static final int CALLERS = 8;

  @Test
  void shouldAllocateLittlePerJsonRequestOnTheServer() throws Exception {
    String json = RestCalls.JSON.writeValueAsString(RestEndToEndTest.simpleJson(3, 4));
    long perRequest = measure(request(json.getBytes(StandardCharsets.UTF_8), -1));
    System.out.println("server allocation per simple REST JSON request: " + perRequest + " bytes");
    assertTrue(
        perRequest < MAX_JSON_BYTES_PER_REQUEST,
        "server allocated "
            + perRequest
            + " bytes per request, bound "
            + MAX_JSON_BYTES_PER_REQUEST);
  }

  @Test
  void shouldAllocateLittlePerBinaryRequestOnTheServer() throws Exception {
    String header =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":64}},{\"name\":\"INPUT1\",\"shape\":[1,16],"
            + "\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}],"
            + "\"parameters\":{\"binary_data_output\":true}}";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    body.writeBytes(json);
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 3)));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 4)));
    long perRequest = measure(request(body.toByteArray(), json.length));
    System.out.println(
        "server allocation per simple REST binary request: " + perRequest + " bytes");
    assertTrue(
        perRequest < MAX_BINARY_BYTES_PER_REQUEST,
        "server allocated "
            + perRequest
            + " bytes per request, bound "
            + MAX_BINARY_BYTES_PER_REQUEST);
  }

  private static byte[] request(byte[] body, int headerLength) {
    StringBuilder head =
        new StringBuilder("POST /v2/models/simple/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .append("Content-Length: ")
            .append(body.length)
            .append("\r\n");
    if (headerLength >= 0) {
      head.append("Inference-Header-Content-Length: ").append(headerLength).append("\r\n");
    }
    head.append("\r\n");
    ByteArrayOutputStream r = new ByteArrayOutputStream();
    r.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    r.writeBytes(body);
    return r.toByteArray();
  }

  /** Server bytes allocated per request over {@code 8,000} requests, after a warm-up. */
  private static long measure(byte[] request) throws Exception {
    TestServer server = TestServers.shared();
    ExecutorService callers =
        Executors.newFixedThreadPool(CALLERS, r -> new Thread(r, "client-caller"));
    try {
      run(callers, server.httpPort(), request, 2_000); // warm up: JIT, pools, lazy threads
      Map<Long, Long> before = serverThreadAllocations();
      int requests = 8_000;
      run(callers, server.httpPort(), request, requests);
      Map<Long, Long> after = serverThreadAllocations();
      long bytes = 0;
      for (Map.Entry<Long, Long> thread : after.entrySet()) {
        bytes += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
      }
      return bytes / requests;
    } finally {
      callers.shutdownNow();
    }
  }

  private static void run(ExecutorService callers, int port, byte[] request, int total)
      throws Exception {
    Future<?>[] workers = new Future<?>[CALLERS];
    for (int w = 0; w < workers.length; w++) {
      workers[w] =
          callers.submit(
              () -> {
                try (Socket socket = new Socket(TestServer.HOST, port)) {
                  socket.setSoTimeout(30_000);
                  socket.setTcpNoDelay(true);
                  OutputStream out = socket.getOutputStream();
                  InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                  for (int i = 0; i < total / CALLERS; i++) {
                    out.write(request);
                    out.flush();
                    assertEquals(200, readResponse(in));
                  }
                }
                return null;
              });
    }
    for (Future<?> worker : workers) {
      worker.get(120, TimeUnit.SECONDS);
    }
  }

  /** Reads one response with a Content-Length body; returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    String status = line(in);
    int length = 0;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(h.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(status.split(" ")[1].toLowerCase(Locale.ROOT));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-response: " + sb);
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static Map<Long, Long> serverThreadAllocations() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Map<Long, Long> allocated = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("client-") || thread == Thread.currentThread()) {
        continue;
      }
      long bytes = threads.getThreadAllocatedBytes(thread.getId());
      if (bytes >= 0) {
        allocated.put(thread.getId(), bytes);
      }
    }
    return allocated;
  }
}
