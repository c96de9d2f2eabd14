package io.ringserve.server.internal.grpc;

import inference.GrpcService.LogSettingsRequest;
import inference.GrpcService.LogSettingsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.internal.log.LogSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Triton's logging extension over gRPC ({@code LogSettings}; REST's {@code /v2/logging} calls it
 * too): applies the settings a request names, then answers every setting. Stateless.
 */
final class LogSettingsEndpoint {
  private static final System.Logger LOG = System.getLogger(LogSettingsEndpoint.class.getName());

  /** A setting sent without a value: refused by {@link LogSettings#update} as of the wrong kind. */
  private static final Object NO_VALUE = new Object();

  private LogSettingsEndpoint() {}

  static void answer(
      LogSettings settings,
      LogSettingsRequest request,
      StreamObserver<LogSettingsResponse> response) {
    Map<String, Object> current = settings.current();
    if (!request.getSettingsMap().isEmpty()) {
      Map<String, Object> changes = new LinkedHashMap<>();
      for (Map.Entry<String, LogSettingsRequest.SettingValue> e :
          request.getSettingsMap().entrySet()) {
        LogSettingsRequest.SettingValue v = e.getValue();
        changes.put(
            e.getKey(),
            switch (v.getParameterChoiceCase()) {
              case BOOL_PARAM -> v.getBoolParam();
              case UINT32_PARAM -> Integer.toUnsignedLong(v.getUint32Param());
              case STRING_PARAM -> v.getStringParam();
              case PARAMETERCHOICE_NOT_SET -> NO_VALUE;
            });
      }
      Map<String, Object> before = current;
      try {
        current = settings.update(changes);
      } catch (IllegalArgumentException e) {
        response.onError(
            Status.INVALID_ARGUMENT
                .withDescription(ClientMessages.scrub(e.getMessage()))
                .asRuntimeException());
        return;
      }
      if (!current.equals(before)) {
        // One line per change, as a warning so that turning INFO off does not hide it: a verbose
        // level left on fills the log.
        LOG.log(System.Logger.Level.WARNING, "log settings changed to {0}", current);
      }
    }
    LogSettingsResponse.Builder answer = LogSettingsResponse.newBuilder();
    current.forEach((key, value) -> answer.putSettings(key, valueOf(value)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  private static LogSettingsResponse.SettingValue valueOf(Object value) {
    LogSettingsResponse.SettingValue.Builder v = LogSettingsResponse.SettingValue.newBuilder();
    if (value instanceof Boolean b) {
      return v.setBoolParam(b).build();
    }
    if (value instanceof Long l) {
      return v.setUint32Param(l.intValue()).build();
    }
    return v.setStringParam(String.valueOf(value)).build();
  }
}
