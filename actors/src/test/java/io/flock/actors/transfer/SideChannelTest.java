package io.flock.actors.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.flock.actors.testing.Fixtures;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Weights over the side channel (plain TCP) between two actor systems of this JVM on 127.0.0.1:
 * the payload is serialized by the sender's system and decoded by the receiver's, and the receiver
 * connects to the sender's side-channel server over a real TCP connection, exactly as between two
 * JVMs.
 */
@ExtendWith(LogCapturingExtension.class)
class SideChannelTest extends TwoSystems {

  static final Config REMOTE = remote("5s");

  @Override
  String idleTimeout() {
    return "5s";
  }

  private WeightsPayload.Encoded offer(ModelWeights w) {
    return overTheWire(WeightsTransfer.offerOnSideChannel(w, sender.system()), sender, receiver);
  }

  static BytesPayload.Socket socket(WeightsPayload.Encoded payload) {
    return assertInstanceOf(BytesPayload.Socket.class, payload.bytes());
  }

  /** {@code real}'s claim with another size, CRC32 or id. */
  static WeightsPayload.Encoded forged(
      WeightsPayload.Encoded real, ModelLayout layout, long crc32, String transferId) {
    BytesPayload.Socket s = socket(real);
    return new WeightsPayload.Encoded(
        layout,
        new BytesPayload.Socket(
            (long) layout.numParams() * Float.BYTES, crc32, s.host(), s.port(), transferId));
  }

  @Test
  void weightsArriveBitExactOverTheSideChannel() throws Exception {
    ModelWeights w = WeightsTransferTest.weights(1_000_003, 11); // NaN payload and -0.0 inside
    WeightsPayload.Encoded received = offer(w);
    assertEquals("127.0.0.1", socket(received).host());
    assertFalse(received.toString().contains(socket(received).transferId()), "the id is a secret");
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers());
    ModelWeights back = await(WeightsTransfer.fetch(received, receiver.system()));
    assertEquals(w, back); // bitwise: equals compares the raw int bits
    assertEquals(w.checksum(), back.checksum());
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers());
    assertFalse(SideChannel.get(sender.system()).usesTls());
  }

  @Test
  void aConnectionThatSendsNoIdIsClosedAfterTheIdleTimeout() throws Exception {
    BytesPayload.Socket claim = socket(offer(WeightsTransferTest.weights(50_000, 15)));
    try (java.net.Socket silent = new java.net.Socket(claim.host(), claim.port())) {
      silent.setSoTimeout(30_000); // a bound on the wait; the server's idle timeout here is 5 s
      long start = System.nanoTime();
      int read;
      try {
        read = silent.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1; // closed by a reset: also closed
      }
      assertEquals(-1, read, "the server hung up without an answer");
      assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(4), "not before the idle timeout");
    }
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers(), "the offer itself stays");
  }

  @Test
  void aReaderThatStopsReadingIsCutOffAfterTheIdleTimeoutWhileOthersAreServed() throws Exception {
    // Far more than the socket buffers and the server's chunks in flight hold: the server's
    // writes block once the reader stops reading.
    int size = 64 << 20;
    BytesPayload.Socket claim =
        ByteTransfer.offerOnSideChannel(ByteTransfer.Offered.of(new byte[size]), sender.system());
    try (java.net.Socket reader = new java.net.Socket()) {
      reader.setReceiveBufferSize(4096); // before connecting: it sizes the TCP window
      reader.setSoTimeout(30_000); // the bound on every read; the idle timeout here is 5 s
      long start = System.nanoTime();
      int head =
          LoggingTestKit.info(
                  "failed during a payload of " + size + " bytes (crc32 "
                      + String.format("%08x", claim.crc32()) + "): no byte moved for"
                      + " flock.transfer.idle-timeout (PT5S): the receiver stopped reading")
              .withLoggerName(SideChannel.class.getName())
              .expect(
                  sender.system(),
                  () -> {
                    int read = readAFewBytesThenStop(reader, claim);
                    fetchesExactly(19); // a stalled reader holds neither the server nor others
                    return read;
                  });
      assertTrue(
          System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(5), "not before the idle timeout");
      long received = head + drain(reader);
      assertTrue(received < size, "the server hung up mid-payload, after " + received + " bytes");
    }
    fetchesExactly(20); // and it serves the next receiver
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers(), "single use, none left");
  }

  /**
   * Sends {@code claim}'s id as a receiver does, reads the status, length and 100 payload bytes,
   * then stops reading; how many bytes it read.
   */
  private static int readAFewBytesThenStop(java.net.Socket reader, BytesPayload.Socket claim) {
    try {
      reader.connect(new InetSocketAddress(claim.host(), claim.port()));
      reader.getOutputStream().write(HexFormat.of().parseHex(claim.transferId()));
      byte[] head = reader.getInputStream().readNBytes(1 + Long.BYTES + 100);
      assertEquals(1 + Long.BYTES + 100, head.length);
      assertEquals(SideChannel.FOUND, head[0]);
      return head.length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads what is left until the end of the stream or a reset; how many bytes that was. */
  private static long drain(java.net.Socket reader) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n; (n = reader.getInputStream().read(buffer)) >= 0; ) {
        total += n;
      }
    } catch (SocketException reset) {
      // closed by a reset: also closed (a read timeout is not a SocketException)
    }
    return total;
  }

  /** A receiver fetches 1 MB of bytes from the sender's side channel, bit-exact. */
  private void fetchesExactly(int seed) {
    byte[] file = new byte[1_000_003];
    new java.util.SplittableRandom(seed).nextBytes(file);
    BytesPayload offered = BytesPayload.payloadFor(file, remoteRecipient(), sender.system());
    assertInstanceOf(BytesPayload.Socket.class, offered);
    try {
      byte[] back =
          await(BytesPayload.fetch(overTheWire(offered, sender, receiver), receiver.system()));
      assertTrue(java.util.Arrays.equals(file, back), "bit-exact");
    } catch (Exception e) {
      throw new AssertionError("the fetch failed", e);
    }
  }

  @Test
  void anOfferCanBeFetchedOnlyOnce() throws Exception {
    WeightsPayload.Encoded received = offer(WeightsTransferTest.weights(50_000, 12));
    await(WeightsTransfer.fetch(received, receiver.system()));
    TransferException e = failure(WeightsTransfer.fetch(received, receiver.system()));
    assertTrue(e.getMessage().contains("unknown id, already fetched"), e.getMessage());
  }

  @Test
  void anUnknownTransferIdIsRefused() {
    WeightsPayload.Encoded real = offer(WeightsTransferTest.weights(50_000, 13));
    WeightsPayload.Encoded forged =
        forged(real, real.layout(), socket(real).crc32(), "0".repeat(32));
    TransferException e = failure(WeightsTransfer.fetch(forged, receiver.system()));
    assertTrue(e.getMessage().contains("has no transfer Socket[bytes=200000"), e.getMessage());
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers(), "the real offer remains");
  }

  @Test
  void anOfferExpiresAfterTheSubscriptionTimeout() {
    ActorTestKit manual =
        ActorTestKit.create(
            "manual",
            REMOTE.withFallback(ManualTime.config()).withFallback(Fixtures.testConfig()));
    try {
      WeightsPayload.Encoded offered =
          WeightsTransfer.offerOnSideChannel(
              WeightsTransferTest.weights(50_000, 14), manual.system());
      assertEquals(1, SideChannel.get(manual.system()).pendingOffers());
      ManualTime.get(manual.system()).timePasses(Duration.ofSeconds(29));
      assertEquals(1, SideChannel.get(manual.system()).pendingOffers());
      ManualTime.get(manual.system()).timePasses(Duration.ofSeconds(1)); // subscription-timeout
      assertEquals(0, SideChannel.get(manual.system()).pendingOffers());
      TransferException e =
          failure(
              WeightsTransfer.fetch(overTheWire(offered, manual, receiver), receiver.system()));
      assertTrue(e.getMessage().contains("subscription-timeout"), e.getMessage());
    } finally {
      manual.shutdownTestKit();
    }
  }

  /**
   * The connection's own idle timeout counts bytes both ways, so a receiver that stops reading but
   * keeps sending would outlast it; the answer has an idle timeout of its own. Shown on the
   * server's flow for one connection, whose receiving side here stays open and silent: the answer
   * fails once the receiver has taken nothing for the idle timeout, though that side never ends.
   */
  @Test
  void anAnswerTheReceiverStopsTakingFailsAfterTheIdleTimeoutWhileItsConnectionStaysOpen()
      throws Exception {
    ActorTestKit quick =
        ActorTestKit.create("quick", remote("1s").withFallback(Fixtures.testConfig()));
    try {
      BytesPayload.Socket claim =
          ByteTransfer.offerOnSideChannel(ByteTransfer.Offered.of(new byte[64 << 20]), quick.system());
      var ends =
          Source.<ByteString>queue(4, OverflowStrategy.fail())
              .via(SideChannel.get(quick.system()).serve(new InetSocketAddress("127.0.0.1", 9)))
              .watchTermination(Keep.both())
              .toMat(Sink.<ByteString>queue().withAttributes(Attributes.inputBuffer(1, 1)), Keep.both())
              .run(Materializer.matFromSystem(quick.system()));
      long start = System.nanoTime();
      ends.first().first().offer(ByteString.fromArray(HexFormat.of().parseHex(claim.transferId())));
      ByteString header = ends.second().pull().toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
      assertEquals(SideChannel.FOUND, header.head()); // nothing more is taken from here on
      java.util.concurrent.ExecutionException e =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> ends.first().second().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
      assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(1), "not before the idle timeout");
      ends.first().first().complete();
    } finally {
      quick.shutdownTestKit();
    }
  }

  @Test
  void aSenderThatIsGoneFailsTheFetch() {
    WeightsPayload.Encoded received = offer(WeightsTransferTest.weights(50_000, 15));
    sender.shutdownTestKit(); // the server is unbound: the connection is refused
    TransferException e = failure(WeightsTransfer.fetch(received, receiver.system()));
    assertTrue(e.getMessage().contains("the transfer of Socket[bytes=200000"), e.getMessage());
  }

  @Test
  void aPayloadOfAnotherSizeThanItsLayoutFailsTheFetch() {
    WeightsPayload.Encoded real = offer(WeightsTransferTest.weights(300_000, 16));
    ModelLayout bigger = new ModelLayout(List.of(ParamSpec.of("w", 300_001)));
    WeightsPayload.Encoded lying =
        forged(real, bigger, socket(real).crc32(), socket(real).transferId());
    TransferException e = failure(WeightsTransfer.fetch(lying, receiver.system()));
    assertTrue(
        e.getMessage().contains("sender offers 1200000 bytes")
            && e.getMessage().contains("promises 1200004"),
        e.getMessage());
  }

  @Test
  void aChecksumMismatchFailsTheFetch() {
    WeightsPayload.Encoded real = offer(WeightsTransferTest.weights(300_000, 17));
    WeightsPayload.Encoded tampered =
        forged(real, real.layout(), socket(real).crc32() ^ 1, socket(real).transferId());
    TransferException e = failure(WeightsTransfer.fetch(tampered, receiver.system()));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void malformedSocketPayloadsAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new BytesPayload.Socket(16, 0, "127.0.0.1", 0, "0".repeat(32)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BytesPayload.Socket(16, 0, "127.0.0.1", 1, "short"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BytesPayload.Socket(16, 1L << 32, "127.0.0.1", 1, "0".repeat(32)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BytesPayload.Socket(-1, 0, "127.0.0.1", 1, "0".repeat(32)));
    ModelLayout layout = new ModelLayout(List.of(ParamSpec.of("w", 4)));
    BytesPayload.Socket seventeen = new BytesPayload.Socket(17, 0, "127.0.0.1", 1, "0".repeat(32));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new WeightsPayload.Encoded(layout, seventeen));
    assertTrue(e.getMessage().contains("17 bytes cannot hold 4 float32"), e.getMessage());
  }

  @Test
  void bytesArriveBitExactOverTheSideChannelAndOnlyOnce() throws Exception {
    byte[] file = new byte[1_000_003]; // not a multiple of 4: bytes, not floats
    new java.util.SplittableRandom(18).nextBytes(file);
    assertTrue(SideChannel.get(sender.system()).start());
    BytesPayload offered = BytesPayload.payloadFor(file, remoteRecipient(), sender.system());
    BytesPayload received = overTheWire(offered, sender, receiver);
    assertInstanceOf(BytesPayload.Socket.class, received);
    byte[] back = await(BytesPayload.fetch(received, receiver.system()));
    assertTrue(java.util.Arrays.equals(file, back), "bit-exact");
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers());
    TransferException again = failure(BytesPayload.fetch(received, receiver.system()));
    assertTrue(again.getMessage().contains("already fetched"), again.getMessage());
  }
}
