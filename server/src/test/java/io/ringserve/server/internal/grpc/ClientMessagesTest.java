package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientMessagesTest {

  @Test
  void absolutePathsKeepOnlyTheirLastTwoParts() {
    assertEquals(
        "cannot parse simple/config.pbtxt: line 3",
        ClientMessages.scrub("cannot parse /srv/models/private/simple/config.pbtxt: line 3"));
    assertEquals(
        "no model file in '1/model.onnx'",
        ClientMessages.scrub("no model file in '/opt/x/repo/m/1/model.onnx'"));
  }

  @Test
  void wordsUrlsAndRelativePathsAreLeftAlone() {
    String message = "see http://example.com/a/b and mlp/1 or input/output names, a 1/2 ratio";
    assertEquals(message, ClientMessages.scrub(message));
  }

  @Test
  void longQuotedNamesAndLongMessagesAreCut() {
    String name = "n".repeat(ClientMessages.MAX_NAME_CHARS + 1);
    String cut = ClientMessages.scrub("unknown model '" + name + "'");
    assertEquals(
        "unknown model '"
            + "n".repeat(ClientMessages.MAX_NAME_CHARS)
            + "... ("
            + name.length()
            + " characters)'",
        cut);
    String ok = "n".repeat(ClientMessages.MAX_NAME_CHARS);
    assertEquals("unknown model '" + ok + "'", ClientMessages.scrub("unknown model '" + ok + "'"));
    assertTrue(
        ClientMessages.scrub("x".repeat(100_000)).length() < ClientMessages.MAX_MESSAGE_CHARS + 40);
  }

  @Test
  void errorIdsAreEightHexDigitsAndDiffer() {
    String a = ClientMessages.newErrorId();
    assertTrue(a.matches("[0-9a-f]{8}"), a);
    assertNotEquals(a, ClientMessages.newErrorId());
  }
}
