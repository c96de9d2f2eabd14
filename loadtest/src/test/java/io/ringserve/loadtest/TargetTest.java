package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void shouldParseHostPortAndBracketedIpv6AsPlaintextTargets() {
    Target named = Target.parse("localhost:8001");
    assertEquals("localhost", named.host());
    assertEquals(8001, named.port());
    assertEquals(Target.Tls.PLAINTEXT, named.tls());
    Target v6 = Target.parse("[::1]:9000");
    assertEquals("::1", v6.host());
    assertEquals(9000, v6.port());
  }

  @Test
  void shouldRefuseWhatIsNotHostPortNamingTheValue() {
    for (String bad :
        new String[] {"localhost", ":8001", "host:", "host:x", "host:0", "host:70000", "a/b:1"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Target.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "' must be HOST:PORT"), e.getMessage());
    }
  }
}
