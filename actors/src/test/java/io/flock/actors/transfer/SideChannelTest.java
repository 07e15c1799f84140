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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
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

  /** The payload as {@code to} decodes it from the serializer output of {@code from}. */
  static WeightsPayload overTheWire(
      WeightsPayload payload, ActorTestKit from, ActorTestKit to) {
    Serialization out = SerializationExtension.get(from.system());
    byte[] bytes = out.serialize(payload).get();
    var serializer = out.findSerializerFor(payload);
    assertEquals(33, serializer.identifier(), "jackson-cbor");
    return (WeightsPayload)
        SerializationExtension.get(to.system())
            .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, payload))
            .get();
  }

  private WeightsPayload.Socket offer(ModelWeights w) {
    WeightsPayload.Socket offered = WeightsTransfer.offerOnSideChannel(w, sender.system());
    return (WeightsPayload.Socket) overTheWire(offered, sender, receiver);
  }

  static ModelWeights await(CompletionStage<ModelWeights> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static WeightsTransferException failure(CompletionStage<ModelWeights> stage) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    return assertInstanceOf(WeightsTransferException.class, e.getCause());
  }

  @Test
  void weightsArriveBitExactOverTheSideChannel() throws Exception {
    ModelWeights w = WeightsTransferTest.weights(1_000_003, 11); // NaN payload and -0.0 inside
    WeightsPayload.Socket received = offer(w);
    assertEquals("127.0.0.1", received.host());
    assertFalse(received.toString().contains(received.transferId()), "the id is a secret");
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers());
    ModelWeights back = await(WeightsTransfer.fetch(received, receiver.system()));
    assertEquals(w, back); // bitwise: equals compares the raw int bits
    assertEquals(w.checksum(), back.checksum());
    assertEquals(0, SideChannel.get(sender.system()).pendingOffers());
    assertFalse(SideChannel.get(sender.system()).usesTls());
  }

  @Test
  void anOfferCanBeFetchedOnlyOnce() throws Exception {
    WeightsPayload.Socket received = offer(WeightsTransferTest.weights(50_000, 12));
    await(WeightsTransfer.fetch(received, receiver.system()));
    WeightsTransferException e = failure(WeightsTransfer.fetch(received, receiver.system()));
    assertTrue(e.getMessage().contains("unknown id, already fetched"), e.getMessage());
  }

  @Test
  void anUnknownTransferIdIsRefused() {
    WeightsPayload.Socket real = offer(WeightsTransferTest.weights(50_000, 13));
    WeightsPayload.Socket forged =
        new WeightsPayload.Socket(
            real.layout(), real.crc32(), real.host(), real.port(), "0".repeat(32));
    WeightsTransferException e = failure(WeightsTransfer.fetch(forged, receiver.system()));
    assertTrue(e.getMessage().contains("has no transfer Socket[params=50000"), e.getMessage());
    assertEquals(1, SideChannel.get(sender.system()).pendingOffers(), "the real offer remains");
  }

  @Test
  void anOfferExpiresAfterTheSubscriptionTimeout() {
    ActorTestKit manual =
        ActorTestKit.create(
            "manual",
            REMOTE.withFallback(ManualTime.config()).withFallback(Fixtures.testConfig()));
    try {
      WeightsPayload.Socket offered =
          WeightsTransfer.offerOnSideChannel(
              WeightsTransferTest.weights(50_000, 14), manual.system());
      assertEquals(1, SideChannel.get(manual.system()).pendingOffers());
      ManualTime.get(manual.system()).timePasses(Duration.ofSeconds(29));
      assertEquals(1, SideChannel.get(manual.system()).pendingOffers());
      ManualTime.get(manual.system()).timePasses(Duration.ofSeconds(1)); // subscription-timeout
      assertEquals(0, SideChannel.get(manual.system()).pendingOffers());
      WeightsTransferException e =
          failure(
              WeightsTransfer.fetch(overTheWire(offered, manual, receiver), receiver.system()));
      assertTrue(e.getMessage().contains("subscription-timeout"), e.getMessage());
    } finally {
      manual.shutdownTestKit();
    }
  }

  @Test
  void aSenderThatIsGoneFailsTheFetch() {
    WeightsPayload.Socket received = offer(WeightsTransferTest.weights(50_000, 15));
    sender.shutdownTestKit(); // the server is unbound: the connection is refused
    WeightsTransferException e = failure(WeightsTransfer.fetch(received, receiver.system()));
    assertTrue(e.getMessage().contains("the transfer of Socket[params=50000"), e.getMessage());
  }

  @Test
  void aPayloadOfAnotherSizeThanItsLayoutFailsTheFetch() {
    WeightsPayload.Socket real = offer(WeightsTransferTest.weights(300_000, 16));
    ModelLayout bigger = new ModelLayout(List.of(ParamSpec.of("w", 300_001)));
    WeightsPayload.Socket lying =
        new WeightsPayload.Socket(bigger, real.crc32(), real.host(), real.port(), real.transferId());
    WeightsTransferException e = failure(WeightsTransfer.fetch(lying, receiver.system()));
    assertTrue(
        e.getMessage().contains("sender offers 1200000 bytes")
            && e.getMessage().contains("promises 1200004"),
        e.getMessage());
  }

  @Test
  void aChecksumMismatchFailsTheFetch() {
    WeightsPayload.Socket real = offer(WeightsTransferTest.weights(300_000, 17));
    WeightsPayload.Socket tampered =
        new WeightsPayload.Socket(
            real.layout(), real.crc32() ^ 1, real.host(), real.port(), real.transferId());
    WeightsTransferException e = failure(WeightsTransfer.fetch(tampered, receiver.system()));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void malformedSocketPayloadsAreRejected() {
    ModelLayout layout = new ModelLayout(List.of(ParamSpec.of("w", 4)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WeightsPayload.Socket(layout, 0, "127.0.0.1", 0, "0".repeat(32)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WeightsPayload.Socket(layout, 0, "127.0.0.1", 1, "short"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WeightsPayload.Socket(layout, 1L << 32, "127.0.0.1", 1, "0".repeat(32)));
  }
}
