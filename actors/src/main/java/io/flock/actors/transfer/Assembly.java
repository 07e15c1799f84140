package io.flock.actors.transfer;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import org.apache.pekko.util.ByteString;

/**
 * The receiving end of a {@link BytesPayload.Claim}: takes the bytes in pieces of any size
 * (StreamRef chunks, or TCP reads that may split a value), refuses more than the promised size,
 * checks the size and CRC32 at the end, and hands each piece to the decoding of what is being
 * assembled ({@link Bytes}: an array; {@link Weights}: float32 straight into the weights). One
 * copy per byte: the decoding; the CRC32 (hardware-accelerated by the JDK) reads the piece in place.
 *
 * @param <T> what the bytes become
 */
abstract class Assembly<T> {
  private final long size;
  private final long expectedCrc;
  private final CRC32 crc = new CRC32();
  private long received;

  private Assembly(BytesPayload.Claim claim) {
    this.size = claim.size();
    this.expectedCrc = claim.crc32();
  }

  /** Bytes promised. */
  final long size() {
    return size;
  }

  /** Whether every promised byte has arrived (the checksum is checked by {@link #finish}). */
  final boolean complete() {
    return received == size;
  }

  /** Appends the next piece; throws {@link TransferException} past the promised size. */
  final void append(ByteString piece) {
    if (piece.size() > size - received) {
      throw new TransferException("more than the " + size + " promised bytes arrived" + about());
    }
    received += piece.size();
    if (piece.isCompact()) { // one TCP read or StreamRef chunk: its own array, no copy
      take(ByteBuffer.wrap(piece.toArrayUnsafe()));
    } else { // read-only views: no copy here, but CRC32 reads them through a small scratch array
      for (ByteBuffer part : piece.getByteBuffers()) {
        take(part.slice());
      }
    }
  }

  private void take(ByteBuffer part) {
    crc.update(part.duplicate());
    decode(part);
  }

  /** What arrived, when exactly the promised bytes did and their CRC32 matches. */
  final T finish() {
    if (!complete()) {
      throw new TransferException(
          "the stream ended after " + received + " of " + size + " bytes" + about());
    }
    if (crc.getValue() != expectedCrc) {
      throw new TransferException(
          String.format(
              "checksum mismatch: promised crc32 %08x, received %08x%s",
              expectedCrc, crc.getValue(), about()));
    }
    return result();
  }

  /** Decodes the next piece, all of it. */
  abstract void decode(ByteBuffer piece);

  /** The result, once all bytes are decoded. */
  abstract T result();

  /** What is assembled, for messages: empty or " (...)". */
  abstract String about();

  /** Into a byte array; the claim must promise at most {@link BytesPayload#MAX_BYTES}. */
  static final class Bytes extends Assembly<byte[]> {
    private final ByteBuffer into;

    Bytes(BytesPayload.Claim claim) {
      super(claim);
      this.into = ByteBuffer.allocate(Math.toIntExact(claim.size()));
    }

    @Override
    void decode(ByteBuffer piece) {
      into.put(piece);
    }

    @Override
    byte[] result() {
      return into.array();
    }

    @Override
    String about() {
      return "";
    }
  }

  /** Little-endian float32 bytes into the weights of {@code layout}. */
  static final class Weights extends Assembly<ModelWeights> {
    private final ModelLayout layout;
    private final float[] values;
    // Bytes of a value split across two pieces, little-endian, and how many of them arrived.
    private final ByteBuffer carry =
        ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int filled;

    /** The claim's size must be the layout's (as {@link WeightsPayload.Encoded} ensures). */
    Weights(WeightsPayload.Encoded payload) {
      super(payload.bytes());
      this.layout = payload.layout();
      this.values = new float[layout.numParams()];
    }

    @Override
    void decode(ByteBuffer piece) {
      ByteBuffer buf = piece.order(ByteOrder.LITTLE_ENDIAN);
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

    @Override
    ModelWeights result() {
      return ModelWeights.wrap(layout, values);
    }

    @Override
    String about() {
      return " (" + layout.describe() + ")";
    }
  }
}
