package io.flock.actors.round;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A masked input's coordinates (mod 2^32) as bytes and back: 4 bytes per coordinate,
 * little-endian, the form in which it travels as a {@code BytesPayload} (inline in one JVM or when
 * small, a side-channel or stream claim otherwise), like model updates do.
 */
public final class MaskedInputBytes {

  private MaskedInputBytes() {}

  /** {@code coordinates} little-endian, 4 bytes each. */
  public static byte[] encode(int[] coordinates) {
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(coordinates.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asIntBuffer().put(coordinates);
    return bytes.array();
  }

  /**
   * The coordinates of {@code bytes}.
   *
   * @throws IllegalArgumentException when the length is not a multiple of 4
   */
  public static int[] decode(byte[] bytes) {
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException("a masked input has 4 bytes per coordinate, got " + bytes.length + " bytes");
    }
    int[] coordinates = new int[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(coordinates);
    return coordinates;
  }
}
