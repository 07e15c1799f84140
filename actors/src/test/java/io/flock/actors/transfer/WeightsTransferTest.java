package io.flock.actors.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Weights streamed between two actor systems of this JVM over real Artery TCP on 127.0.0.1: the
 * payload is serialized by the sender's system and decoded by the receiver's, so the receiver's
 * stream talks to the sender's over the wire exactly as between two JVMs.
 */
@ExtendWith(LogCapturingExtension.class)
class WeightsTransferTest extends TwoSystems {

  static final Config REMOTE = remote("2s");

  @Override
  String idleTimeout() {
    return "2s";
  }

  /** 1,000,003 values: eight chunks of 128 KiB and a short last one. */
  static ModelWeights weights(int n, int seed) {
    float[] v = new float[n];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    v[n / 2] = Float.intBitsToFloat(0x7fc00001); // a NaN with payload: must arrive bit for bit
    v[n - 1] = -0.0f;
    return ModelWeights.wrap(
        new ModelLayout(List.of(ParamSpec.of("w", n - 3), ParamSpec.of("b", 3))), v);
  }

  /** The payload as the receiver's system decodes it from the sender's serializer output. */
  private WeightsPayload overTheWire(WeightsPayload payload) {
    return overTheWire(payload, sender, receiver);
  }

  private static BytesPayload.Claim claim(WeightsPayload payload) {
    return assertInstanceOf(WeightsPayload.Encoded.class, payload).bytes();
  }

  @Test
  void streamedWeightsArriveBitExactAcrossActorSystems() throws Exception {
    ModelWeights w = weights(1_000_003, 1);
    WeightsPayload.Encoded offered = WeightsTransfer.offer(w, sender.system());
    WeightsPayload received = overTheWire(offered);
    assertInstanceOf(BytesPayload.Streamed.class, ((WeightsPayload.Encoded) received).bytes());
    assertEquals(w.layout(), received.layout());
    ModelWeights back = await(WeightsTransfer.fetch(received, receiver.system()));
    assertEquals(w, back); // bitwise, NaN payload and -0.0 included
    assertEquals(w.checksum(), back.checksum());
  }

  @Test
  void localRecipientsAndSmallWeightsTravelInline() throws Exception {
    ModelWeights big = weights(100_000, 2); // 400 kB: above the 128 KiB inline limit
    ActorSystem<Void> local = sender.system();
    var localProbe = sender.createTestProbe();
    assertInstanceOf(
        WeightsPayload.Inline.class, WeightsTransfer.payloadFor(big, localProbe.ref(), local));
    var remoteRef = remoteRecipient();
    assertTrue(remoteRef.path().address().hasGlobalScope());
    // payloadFor never blocks an actor on binding: a JVM starts its side channel first (the CLI
    // does), and until it listens big weights stream over Artery.
    assertTrue(SideChannel.get(local).start());
    assertInstanceOf(BytesPayload.Socket.class, claim(WeightsTransfer.payloadFor(big, remoteRef, local)));
    ModelWeights small = weights(1000, 3);
    WeightsPayload inline = WeightsTransfer.payloadFor(small, remoteRef, local);
    assertInstanceOf(WeightsPayload.Inline.class, inline);
    assertEquals(small, await(WeightsTransfer.fetch(overTheWire(inline), receiver.system())));
  }

  @Test
  void manyRecipientsGetTheWeightsInlineWhenLocalAndASingleUseClaimEachWhenRemote()
      throws Exception {
    ModelWeights big = weights(100_000, 7);
    assertTrue(SideChannel.get(sender.system()).start());
    List<ActorRef<?>> recipients =
        List.of(remoteRecipient(), sender.createTestProbe().ref(), remoteRecipient());
    List<WeightsPayload> payloads = WeightsTransfer.payloadsFor(big, recipients, sender.system());
    assertEquals(3, payloads.size());
    assertSame(big, WeightsTransfer.inline(payloads.get(1)), "by reference, no copy");
    BytesPayload.Socket first = assertInstanceOf(BytesPayload.Socket.class, claim(payloads.get(0)));
    BytesPayload.Socket last = assertInstanceOf(BytesPayload.Socket.class, claim(payloads.get(2)));
    assertNotEquals(first.transferId(), last.transferId(), "a claim of its own");
    assertEquals(2, SideChannel.get(sender.system()).pendingOffers());
    for (WeightsPayload claimed : List.of(payloads.get(0), payloads.get(2))) {
      WeightsPayload received = overTheWire(claimed);
      assertEquals(big, await(WeightsTransfer.fetch(received, receiver.system())));
      TransferException again = failure(WeightsTransfer.fetch(received, receiver.system()));
      assertTrue(again.getMessage().contains("already fetched"), again.getMessage());
    }
  }

  @Test
  void theBytesAreOfferedOnceForAllRemoteRecipientsAndNotAtAllForLocalOnes() {
    assertTrue(SideChannel.get(sender.system()).start());
    byte[] bytes = new byte[200_000]; // above the inline limit
    int[] offered = {0};
    Supplier<ByteTransfer.Offered> offer =
        () -> {
          offered[0]++;
          return ByteTransfer.Offered.of(bytes);
        };
    List<Object> remote =
        ByteTransfer.payloadsFor(
            bytes.length, true, offer, List.of(remoteRecipient(), remoteRecipient(), remoteRecipient()),
            sender.system(), "inline", claim -> claim);
    assertEquals(1, offered[0], "one offer (one CRC32) for three claims");
    assertEquals(
        3, remote.stream().map(c -> ((BytesPayload.Socket) c).transferId()).distinct().count());
    List<Object> local =
        ByteTransfer.payloadsFor(
            bytes.length, true, offer, List.of(sender.createTestProbe().ref()), sender.system(),
            "inline", claim -> claim);
    assertEquals(List.of("inline"), local);
    assertEquals(1, offered[0], "no offer when no recipient needs a claim");
  }

  @Test
  void withTheSideChannelOffBigWeightsStreamOverArtery() throws Exception {
    ActorTestKit off =
        ActorTestKit.create(
            "off",
            ConfigFactory.parseString("flock.transfer.side-channel = off")
                .withFallback(REMOTE)
                .withFallback(Fixtures.testConfig()));
    try {
      ModelWeights big = weights(100_000, 2);
      var remoteRef =
          resolvedBy(off.system(), receiver.system(), receiver.createTestProbe().ref());
      WeightsPayload payload = WeightsTransfer.payloadFor(big, remoteRef, off.system());
      assertInstanceOf(BytesPayload.Streamed.class, claim(payload));
      assertEquals(big, await(WeightsTransfer.fetch(payload, receiver.system())));
    } finally {
      off.shutdownTestKit();
    }
  }

  @Test
  void aChecksumMismatchFailsTheFetch() {
    ModelWeights w = weights(300_000, 4);
    WeightsPayload.Encoded offered = WeightsTransfer.offer(w, sender.system());
    BytesPayload.Streamed s = (BytesPayload.Streamed) offered.bytes();
    WeightsPayload.Encoded tampered = new WeightsPayload.Encoded(
        offered.layout(), new BytesPayload.Streamed(s.size(), s.crc32() ^ 1, s.chunks()));
    TransferException e = failure(WeightsTransfer.fetch(overTheWire(tampered), receiver.system()));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void aStreamShorterThanItsLayoutFailsTheFetch() {
    ModelWeights w = weights(300_000, 5);
    BytesPayload.Streamed s = (BytesPayload.Streamed) WeightsTransfer.offer(w, sender.system()).bytes();
    ModelLayout bigger = new ModelLayout(List.of(ParamSpec.of("w", 300_001)));
    TransferException e =
        failure(
            WeightsTransfer.fetch(
                overTheWire(new WeightsPayload.Encoded(bigger, new BytesPayload.Streamed(4 * 300_001, s.crc32(), s.chunks()))),
                receiver.system()));
    assertTrue(e.getMessage().contains("ended after 1200000 of 1200004 bytes"), e.getMessage());
  }

  @Test
  void aSenderThatLeavesFailsTheFetchWithinTheIdleTimeout() {
    WeightsPayload.Encoded offered = WeightsTransfer.offer(weights(300_000, 6), sender.system());
    WeightsPayload received = overTheWire(offered);
    sender.shutdownTestKit(); // the sender's JVM is gone before the receiver asks for a chunk
    TransferException e = failure(WeightsTransfer.fetch(received, receiver.system()));
    assertTrue(e.getMessage().contains("transfer of Streamed[bytes=1200000"), e.getMessage());
  }

  @Test
  void chunksThatDoNotFitArteryFramesAreRejectedUpFront() {
    Config tooBig =
        ConfigFactory.parseString("flock.transfer.chunk-size = 250 KiB").withFallback(
            REMOTE.withFallback(Fixtures.testConfig()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TransferSettings.from(tooBig));
    assertTrue(e.getMessage().contains("maximum-frame-size (262144 bytes)"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> TransferSettings.from(
            ConfigFactory.parseString("flock.transfer.chunk-size = 4098").withFallback(REMOTE)
                .withFallback(Fixtures.testConfig())));
  }
}
