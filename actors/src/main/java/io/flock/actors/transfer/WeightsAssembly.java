package io.flock.actors.transfer;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import org.apache.pekko.util.ByteString;

/**
 * Reassembles little-endian float32 bytes, in pieces of any size (StreamRef chunks or TCP reads
 * that may split a value), straight into the float array of the weights, and checks the size and
 * the CRC32 the sender promised. One copy per byte: the bulk decode of each piece; the CRC32
 * (hardware-accelerated by the JDK) reads the piece in place.
 */
final class WeightsAssembly {
  private final ModelLayout layout;
  private final long expectedCrc;
  private final float[] values;
  private final long totalBytes;
  private final CRC32 crc = new CRC32();
  // Bytes of a value split across two pieces, little-endian, and how many of them arrived.
  private final ByteBuffer carry = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private long received;
  private int filled;

  WeightsAssembly(ModelLayout layout, long expectedCrc) {
    this.layout = layout;
    this.expectedCrc = expectedCrc;
    this.values = new float[layout.numParams()];
    this.totalBytes = (long) values.length * Float.BYTES;
  }

  /** Payload bytes the layout promises. */
  long totalBytes() {
    return totalBytes;
  }

  /** Whether every promised byte has arrived (the checksum is checked by {@link #finish}). */
  boolean complete() {
    return received == totalBytes;
  }

  /** Appends the next piece; throws {@link WeightsTransferException} past the promised size. */
  void append(ByteString piece) {
    int bytes = piece.size();
    if (bytes > totalBytes - received) {
      throw new WeightsTransferException(
          "more than the " + values.length + " promised values arrived (" + layout.describe()
              + ")");
    }
    received += bytes;
    if (piece.isCompact()) { // one TCP read or StreamRef chunk: its own array, no copy
      take(ByteBuffer.wrap(piece.toArrayUnsafe()));
    } else { // read-only views: no copy here, but CRC32 reads them through a small scratch array
      for (ByteBuffer part : piece.getByteBuffers()) {
        take(part.slice());
      }
    }
  }

  private void take(ByteBuffer part) {
    ByteBuffer buf = part.order(ByteOrder.LITTLE_ENDIAN);
    crc.update(buf.duplicate());
    decode(buf);
  }

  private void decode(ByteBuffer buf) {
    if (carry.position() > 0) {
      while (carry.hasRemaining() && buf.hasRemaining()) {
        carry.put(buf.get());
      }
      if (carry.hasRemaining()) {
        return;
      }
      values[filled++] = carry.getFloat(0);
      carry.clear();
    }
    int count = buf.remaining() / Float.BYTES;
    buf.asFloatBuffer().get(values, filled, count); // one bulk copy, byte order swapped if needed
    filled += count;
    buf.position(buf.position() + count * Float.BYTES);
    while (buf.hasRemaining()) {
      carry.put(buf.get());
    }
  }

  /** The weights, when exactly the promised bytes arrived and their CRC32 matches. */
  ModelWeights finish() {
    if (!complete()) {
      throw new WeightsTransferException(
          "the stream ended after " + received / Float.BYTES + " of " + values.length
              + " values (" + layout.describe() + ")");
    }
    if (crc.getValue() != expectedCrc) {
      throw new WeightsTransferException(
          String.format(
              "checksum mismatch: promised crc32 %08x, received %08x (%s)",
              expectedCrc, crc.getValue(), layout.describe()));
    }
    return ModelWeights.wrap(layout, values);
  }
}
