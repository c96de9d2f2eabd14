package io.ringserve.server.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
  private static LogSettings defaults() {
    return LogSettings.of(true, true, true, 0, LogFormat.DEFAULT);
  }

  @Test
  void shouldListEverySettingWithTritonsNamesAndKinds() {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("log_file", "");
    expected.put("log_info", true);
    expected.put("log_warning", true);
    expected.put("log_error", true);
    expected.put("log_verbose_level", 0L);
    expected.put("log_format", "default");
    assertEquals(expected, defaults().current());
  }

  @Test
  void shouldChangeOnlyTheSettingsNamedAndFilterBySwitch() {
    LogSettings s = defaults();
    Map<String, Object> answered =
        s.update(Map.of("log_verbose_level", 1L, "log_info", false, "log_format", "iso8601"));

    assertEquals(s.current(), answered);
    assertEquals(1L, s.current().get("log_verbose_level"));
    assertEquals(false, s.current().get("log_info"));
    assertEquals("ISO8601", s.current().get("log_format"));
    assertEquals(true, s.current().get("log_warning"));
    assertFalse(s.isLoggable(new LogRecord(Level.INFO, "i")));
    assertTrue(s.isLoggable(new LogRecord(Level.FINE, "v")));
    assertEquals(Level.FINE, s.ringserveLevel());

    s.update(Map.of("log_format", "json", "log_file", ""));
    assertEquals("json", s.current().get("log_format"));
  }

  @Test
  void shouldRefuseABadSettingByNameAndChangeNothing() {
    // A good setting first, so that refusing the bad one must undo nothing it already applied.
    List<Map<String, Object>> bad =
        List.of(
            ordered("log_info", false, "log_level", 3L),
            ordered("log_info", false, "log_warning", "no"),
            ordered("log_info", false, "log_verbose_level", true),
            ordered("log_info", false, "log_verbose_level", 1L << 40),
            ordered("log_info", false, "log_format", "xml"),
            ordered("log_info", false, "log_file", "/tmp/server.log"));
    List<String> named =
        List.of(
            "unknown log setting 'log_level'; the settings are log_file, log_info, log_warning,"
                + " log_error, log_verbose_level, log_format",
            "log setting 'log_warning' must be a boolean",
            "log setting 'log_verbose_level' must be an unsigned integer",
            "log setting 'log_verbose_level' must be an unsigned integer",
            "log setting 'log_format' must be \"default\", \"ISO8601\" or \"json\"",
            "log setting 'log_file' can only be \"\"");
    for (int i = 0; i < bad.size(); i++) {
      LogSettings s = defaults();
      Map<String, Object> changes = bad.get(i);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> s.update(changes));
      assertTrue(e.getMessage().startsWith(named.get(i)), e.getMessage());
      assertEquals(defaults().current(), s.current(), "nothing changed after " + changes);
    }
  }

  private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  @Test
  void shouldRefuseANegativeVerboseLevelFromTheFlags() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LogSettings.of(true, true, true, -1, LogFormat.DEFAULT));
    assertTrue(e.getMessage().contains("--log-verbose"), e.getMessage());
  }
}
