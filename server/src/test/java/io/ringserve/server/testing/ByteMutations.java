package io.ringserve.server.testing;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded mutations of a valid message's bytes, for the fuzz tests: what a broken or hostile client
 * sends. The same mutations drive the end-to-end fuzz and the wire reader's differential test, so
 * that what one finds the other covers.
 */
public final class ByteMutations {
  private ByteMutations() {}

  /** One to four bit flips, a truncation, one random byte, or a run of up to 16 random bytes. */
  public static byte[] mutate(byte[] valid, Random random) {
    if (valid.length == 0) {
      return valid;
    }
    byte[] body = valid.clone();
    switch (random.nextInt(4)) {
      case 0 -> {
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> body = Arrays.copyOf(body, random.nextInt(body.length));
      case 2 -> body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      default -> {
        int at = random.nextInt(body.length);
        for (int i = at; i < Math.min(body.length, at + 1 + random.nextInt(16)); i++) {
          body[i] = (byte) random.nextInt(256);
        }
      }
    }
    return body;
  }
}
