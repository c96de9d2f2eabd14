package io.ringserve.server.internal.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The strings a thread read last from requests, by their UTF-8 bytes: model names, tensor names and
 * datatypes repeat from one request to the next, and a string read again is the one already made
 * rather than a new {@code String} and its array. A small table indexed by the bytes' hash; a slot
 * holds the last string that hashed to it, so a client that sends ever new names costs a miss each,
 * never memory. Confined to one thread ({@link #forThread}).
 *
 * <p>A string is read as protobuf's {@code readStringRequireUtf8} reads it: bytes that are not
 * valid UTF-8 fail, and valid ones decode to the same string; a string found in the table was
 * checked when it was put there, from the same bytes.
 */
final class RecentStrings {
  private static final int SLOTS = 64;

  /** Longer strings are read as they come, without the table. */
  private static final int MAX_BYTES = 64;

  private static final ThreadLocal<RecentStrings> PER_THREAD =
      ThreadLocal.withInitial(RecentStrings::new);

  private final byte[][] encodings = new byte[SLOTS][];
  private final String[] strings = new String[SLOTS];

  private RecentStrings() {}

  static RecentStrings forThread() {
    return PER_THREAD.get();
  }

  /**
   * Reads a length-delimited string field's value from {@code in}, which reads {@code array} from
   * its start.
   */
  String read(CodedInputStream in, byte[] array) throws IOException {
    int length = in.readRawVarint32();
    int at = in.getTotalBytesRead();
    if (length < 0 || length > array.length - at) {
      throw new InvalidProtocolBufferException("a string runs past the end of the message");
    }
    String value;
    if (length > MAX_BYTES) {
      value = decode(array, at, length);
    } else {
      int slot = hash(array, at, length) & (SLOTS - 1);
      byte[] known = encodings[slot];
      if (known != null && Arrays.equals(known, 0, known.length, array, at, at + length)) {
        value = strings[slot];
      } else {
        value = decode(array, at, length);
        encodings[slot] = Arrays.copyOfRange(array, at, at + length);
        strings[slot] = value;
      }
    }
    // Checks the string against the current message's limit, as protobuf's read does.
    in.skipRawBytes(length);
    return value;
  }

  private static String decode(byte[] array, int at, int length) throws IOException {
    if (!UnsafeByteOperations.unsafeWrap(array, at, length).isValidUtf8()) {
      throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }
    return new String(array, at, length, StandardCharsets.UTF_8);
  }

  private static int hash(byte[] array, int at, int length) {
    int hash = length;
    for (int i = at; i < at + length; i++) {
      hash = 31 * hash + array[i];
    }
    return hash ^ (hash >>> 16);
  }
}
