package io.flock.actors.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.SplittableRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Raw bytes (a checkpoint file, not weights) in a {@link BytesPayload.Streamed} claim between two
 * actor systems over real Artery TCP: the sender's side channel is off, so {@link
 * BytesPayload#payloadFor} streams chunks over a StreamRef; the receiver's {@link
 * BytesPayload#fetch} gets them exactly, or fails with a {@link TransferException} that says what
 * was wrong when the claim promises another size or checksum than the stream delivers.
 */
@ExtendWith(LogCapturingExtension.class)
class StreamedBytesTest extends TwoSystems {

  /** Eight chunks of 128 KiB and a last one of 3 bytes: not a multiple of 4, so bytes. */
  private static final int SIZE = 8 * 128 * 1024 + 3;

  @Override
  String idleTimeout() {
    return "5s";
  }

  @Override
  Config senderConfig() {
    return ConfigFactory.parseString("flock.transfer.side-channel = off");
  }

  private static byte[] file(int seed) {
    byte[] bytes = new byte[SIZE];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** The sender's streamed claim on {@code bytes} for a remote recipient. */
  private BytesPayload.Streamed offer(byte[] bytes) {
    return assertInstanceOf(
        BytesPayload.Streamed.class,
        BytesPayload.payloadFor(bytes, remoteRecipient(), sender.system()));
  }

  /** {@code real}'s chunks under a claim of {@code size} bytes with CRC32 {@code crc32}. */
  private static BytesPayload.Streamed forged(BytesPayload.Streamed real, long size, long crc32) {
    return new BytesPayload.Streamed(size, crc32, real.chunks());
  }

  @Test
  void streamedBytesArriveExactlyAcrossActorSystems() throws Exception {
    byte[] bytes = file(1);
    BytesPayload received = overTheWire(offer(bytes), sender, receiver);
    assertInstanceOf(BytesPayload.Streamed.class, received);
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers(), "no side-channel offer");
    assertArrayEquals(bytes, await(BytesPayload.fetch(received, receiver.system())));
  }

  @Test
  void aStreamedClaimWithAnotherChecksumFailsTheFetchWithAChecksumMismatch() {
    BytesPayload.Streamed real = offer(file(2));
    BytesPayload.Streamed tampered = forged(real, real.size(), real.crc32() ^ 1);
    TransferException e =
        failure(BytesPayload.fetch(overTheWire(tampered, sender, receiver), receiver.system()));
    assertTrue(
        e.getMessage()
            .contains(
                String.format(
                    "checksum mismatch: promised crc32 %08x, received %08x",
                    real.crc32() ^ 1, real.crc32())),
        e.getMessage());
  }

  @Test
  void aStreamLongerThanItsClaimFailsTheFetchOnTheFirstByteTooMany() {
    BytesPayload.Streamed real = offer(file(3));
    BytesPayload.Streamed smaller = forged(real, SIZE - 1, real.crc32());
    TransferException e =
        failure(BytesPayload.fetch(overTheWire(smaller, sender, receiver), receiver.system()));
    assertTrue(
        e.getMessage().contains("more than the " + (SIZE - 1) + " promised bytes arrived"),
        e.getMessage());
  }

  @Test
  void aStreamThatEndsBeforeTheClaimedSizeFailsTheFetchSayingHowFarItGot() {
    BytesPayload.Streamed real = offer(file(4));
    BytesPayload.Streamed truncated = forged(real, SIZE + 1, real.crc32());
    TransferException e =
        failure(BytesPayload.fetch(overTheWire(truncated, sender, receiver), receiver.system()));
    assertTrue(
        e.getMessage().contains("the stream ended after " + SIZE + " of " + (SIZE + 1) + " bytes"),
        e.getMessage());
  }

  @Test
  void aClaimOnMoreBytesThanAnArrayHoldsFailsTheFetchBeforeAnyChunk() {
    BytesPayload.Streamed real = offer(file(5));
    BytesPayload.Streamed huge = forged(real, BytesPayload.MAX_BYTES + 1L, real.crc32());
    TransferException e = failure(BytesPayload.fetch(huge, receiver.system()));
    assertTrue(
        e.getMessage().contains("promises more than the " + BytesPayload.MAX_BYTES + " bytes"),
        e.getMessage());
  }
}
