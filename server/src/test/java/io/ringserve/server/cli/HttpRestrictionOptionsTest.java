package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.GrpcSecurity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Triton's {@code --http-restricted-api} on the {@code serve} command line. */
class HttpRestrictionOptionsTest {
  private static ServeCommand parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }

  @Test
  void tritonsFlagMakesTheRestrictionsWithTheKeyAsGiven() {
    List<GrpcSecurity.Restriction> restrictions =
        parse(
                "--http-restricted-api=inference:infer-key=secret",
                "--http-restricted-api=model-repository,model-config:Admin-Key=a=b")
            .httpRestrictions
            .restrictions();

    assertEquals(2, restrictions.size());
    assertEquals("infer-key", restrictions.get(0).key());
    assertEquals(Set.of("model-repository", "model-config"), restrictions.get(1).protocols());
    assertEquals("admin-key", restrictions.get(1).key());
    assertEquals("a=b", restrictions.get(1).value());
    assertTrue(parse().httpRestrictions.restrictions().isEmpty());
  }

  @Test
  void aGroupRestrictedTwiceIsRefusedNamingTheFlag() {
    ServeCommand serve =
        parse("--http-restricted-api=health:a=1", "--http-restricted-api=health,metadata:b=2");

    var e =
        assertThrows(IllegalArgumentException.class, () -> serve.httpRestrictions.restrictions());

    assertTrue(e.getMessage().contains("'health'"), e.getMessage());
    assertTrue(e.getMessage().contains("--http-restricted-api"), e.getMessage());
  }
}
