package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Triton's {@code --http-restricted-api}: routes of a restricted group answer 403 with Triton's
 * message unless the request carries the group's header with its value; other groups are served as
 * before.
 */
class RestRestrictedApiEndToEndTest {
  private static final String EXPECTED = "This API is restricted, expecting header 'infer-key'";

  private static TestServer server;
  private static RestCalls rest;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServers.start(
            TestServers.config(ExampleRepository.only("simple"))
                .httpRestrictions(
                    List.of(
                        GrpcSecurity.Restriction.parseHttp(
                            "inference,model-repository:Infer-Key=secret")))
                .build());
    rest = new RestCalls(server.httpBase());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  private static byte[] simpleInfer() {
    var body = RestCalls.object();
    var inputs = body.putArray("inputs");
    for (String name : List.of("INPUT0", "INPUT1")) {
      var input = inputs.addObject().put("name", name).put("datatype", "INT32");
      input.putArray("shape").add(1).add(16);
      var data = input.putArray("data");
      for (int i = 0; i < 16; i++) {
        data.add(i);
      }
    }
    return RestCalls.bytes(body);
  }

  @Test
  void shouldRefuseARestrictedRouteWithoutTheHeaderAsTriton() {
    for (HttpResponse<byte[]> response :
        List.of(
            rest.post("/v2/models/simple/infer", simpleInfer(), "Content-Type", "application/json"),
            rest.post(
                "/v2/models/simple/versions/1/infer",
                simpleInfer(),
                "Infer-Key",
                "wrong",
                "Content-Type",
                "application/json"),
            rest.post("/v2/repository/index", new byte[0]),
            // Before the method is looked at, as Triton checks.
            rest.get("/v2/repository/index"))) {
      assertEquals(403, response.statusCode(), response.uri().toString());
      assertEquals(EXPECTED, RestCalls.json(response).get("error").asText());
    }
  }

  @Test
  void shouldServeARestrictedRouteWithTheHeader() {
    HttpResponse<byte[]> response =
        rest.post(
            "/v2/models/simple/infer",
            simpleInfer(),
            "infer-key",
            "secret",
            "Content-Type",
            "application/json");
    assertEquals(200, response.statusCode(), new String(response.body()));
    assertEquals("OUTPUT0", RestCalls.json(response).get("outputs").get(0).get("name").asText());
  }

  @Test
  void shouldServeGroupsThatAreNotRestricted() {
    assertEquals(200, rest.get("/v2/health/ready").statusCode());
    assertEquals(200, rest.get("/v2/models/simple").statusCode());
    assertEquals(200, rest.get("/v2/models/simple/config").statusCode());
    assertEquals(404, rest.get("/v2/nothing-here").statusCode());
  }

  @Test
  void shouldRefuseMalformedFlagsNamingIt() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> GrpcSecurity.Restriction.parseHttp("inference"));
    assertTrue(e.getMessage().contains("--http-restricted-api"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> GrpcSecurity.Restriction.parseHttp("infer:k=v"));
    assertTrue(e.getMessage().contains("unknown api 'infer'"), e.getMessage());
    assertEquals("k", GrpcSecurity.Restriction.parseHttp("health:K=v").key());
  }
}
