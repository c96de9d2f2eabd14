package io.ringserve.server.internal.repository;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestModelFilesTest {
  private static final byte[] X = {1};

  @Test
  void shouldRefuseAFileWhereAnotherFileNeedsAFolderBeforeWritingAnything() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("1/a", X);
    files.put("1/a/b", X);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RequestModelFiles.of("evil", files));

    assertTrue(
        e.getMessage().contains("'file:1/a' names a file where 'file:1/a/b' needs a folder"),
        e.getMessage());
  }

  @Test
  void shouldTakeFilesSideBySideAndInFolders() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("1/a", X);
    files.put("1/ab/c", X);
    files.put("config.pbtxt", X);

    try (RequestModelFiles taken = RequestModelFiles.of("m", files)) {
      assertFalse(taken.isEmpty());
    }
  }
}
