package io.ringserve.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticAddressesTest {
  @Test
  void shouldParseHostPortAndBracketedIpv6() {
    InetSocketAddress a = StaticAddresses.parse("localhost:8001");
    assertEquals("localhost", a.getHostString());
    assertEquals(8001, a.getPort());
    assertEquals("::1", StaticAddresses.parse("[::1]:9").getHostString());
  }

  @Test
  void shouldRejectMalformedTargetsNamingThem() {
    for (String bad : List.of("", "host", "host:", ":80", "host:x", "host:70000", "::1:80")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StaticAddresses.parse(bad));
      assertTrue(e.getMessage().contains("\"" + bad + "\"") || bad.isEmpty(), e.getMessage());
    }
  }

  @Test
  void shouldBuildOneTargetForSeveralAddresses() {
    assertEquals(
        "ringserve-static:///a:1,%5B::1%5D:2", StaticAddresses.target(List.of("a:1", "[::1]:2")));
  }

  @Test
  void shouldWriteServiceConfigDurationsInSeconds() {
    assertEquals("0.050000000s", ServiceConfigs.seconds(java.time.Duration.ofMillis(50)));
    assertEquals("2.000000000s", ServiceConfigs.seconds(java.time.Duration.ofSeconds(2)));
  }
}
