package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import inference.GrpcService.LogSettingsRequest;
import inference.GrpcService.LogSettingsResponse;
import inference.GrpcService.ServerMetadataRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.internal.log.LogSettings;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Triton's logging extension: {@code LogSettings} over gRPC and {@code /v2/logging} over REST read
 * and change the same process-wide settings, as {@code tritonclient}'s {@code get_log_settings} and
 * {@code update_log_settings} use them.
 */
class LoggingExtensionEndToEndTest {
  private static final TestServer SERVER = TestServers.shared();
  private static final RestCalls REST = new RestCalls(SERVER.httpBase());

  private Map<String, Object> before;

  @BeforeEach
  void remember() {
    before = LogSettings.process().current();
  }

  @AfterEach
  void restore() {
    LogSettings.process().update(before);
  }

  private static LogSettingsRequest.SettingValue uint32(int v) {
    return LogSettingsRequest.SettingValue.newBuilder().setUint32Param(v).build();
  }

  private static LogSettingsRequest.SettingValue bool(boolean v) {
    return LogSettingsRequest.SettingValue.newBuilder().setBoolParam(v).build();
  }

  @Test
  void shouldReportTheExtensionAndChangeSettingsOverGrpcAndReadThemOverRest() {
    assertTrue(
        SERVER
            .stub()
            .serverMetadata(ServerMetadataRequest.getDefaultInstance())
            .getExtensionsList()
            .contains("logging"));

    LogSettingsResponse changed =
        SERVER
            .stub()
            .logSettings(
                LogSettingsRequest.newBuilder()
                    .putSettings("log_verbose_level", uint32(2))
                    .putSettings("log_warning", bool(false))
                    .build());

    assertEquals(2, changed.getSettingsOrThrow("log_verbose_level").getUint32Param());
    assertEquals(false, changed.getSettingsOrThrow("log_warning").getBoolParam());
    assertEquals(before.get("log_info"), changed.getSettingsOrThrow("log_info").getBoolParam());
    assertEquals("", changed.getSettingsOrThrow("log_file").getStringParam());
    assertEquals(6, changed.getSettingsCount(), changed.toString());
    HttpResponse<byte[]> read = REST.get("/v2/logging");
    assertEquals(200, read.statusCode());
    JsonNode json = RestCalls.json(read);
    assertEquals(2, json.get("log_verbose_level").asInt(), json.toString());
    assertTrue(json.get("log_warning").isBoolean() && !json.get("log_warning").asBoolean());
  }

  @Test
  void shouldChangeSettingsOverRestAndRefuseABadOneOnEitherProtocol() {
    HttpResponse<byte[]> post =
        REST.post(
            "/v2/logging",
            "{\"log_verbose_level\":1,\"log_format\":\"ISO8601\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(200, post.statusCode(), new String(post.body(), StandardCharsets.UTF_8));
    assertEquals(1, RestCalls.json(post).get("log_verbose_level").asInt());
    assertEquals("ISO8601", RestCalls.json(post).get("log_format").asText());
    assertEquals(1L, LogSettings.process().current().get("log_verbose_level"));

    HttpResponse<byte[]> unknown =
        REST.post("/v2/logging", "{\"log_level\":3}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, unknown.statusCode());
    assertTrue(
        RestCalls.json(unknown).get("error").asText().startsWith("unknown log setting 'log_level'"),
        new String(unknown.body(), StandardCharsets.UTF_8));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                SERVER
                    .stub()
                    .logSettings(
                        LogSettingsRequest.newBuilder()
                            .putSettings("log_info", uint32(1))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("log setting 'log_info' must be a boolean", e.getStatus().getDescription());
    // The refused requests changed nothing.
    assertEquals(1L, LogSettings.process().current().get("log_verbose_level"));
    assertEquals(before.get("log_info"), LogSettings.process().current().get("log_info"));
  }
}
