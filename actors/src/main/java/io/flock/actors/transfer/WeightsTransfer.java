package io.flock.actors.transfer;

import io.flock.models.weights.ModelWeights;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Moves model weights of any size between JVMs: a thin layer over {@link ByteTransfer} that offers
 * the weights' little-endian float32 payload (encoded lazily from the shared {@link ModelWeights},
 * no copy) and decodes what arrives straight into the float array of the result.
 *
 * <p>Sender: {@link #payloadFor}, or {@link #payloadsFor} for many recipients. Receiver: {@link
 * #fetch}, whose result an actor pipes to itself.
 */
public final class WeightsTransfer {

  private WeightsTransfer() {}

  /**
   * The payload to send {@code weights} to {@code recipient} with: {@link WeightsPayload.Inline}
   * when the recipient lives in this JVM (messages pass by reference) or the payload is at most
   * {@code flock.transfer.inline-limit}; otherwise a fresh {@link WeightsPayload.Encoded} claim:
   * on the side channel or, when that is off or cannot bind, a stream over Artery. One payload per
   * recipient: claims are single use. The one-recipient case of {@link #payloadsFor}.
   */
  public static WeightsPayload payloadFor(
      ModelWeights weights, ActorRef<?> recipient, ActorSystem<?> system) {
    return payloadsFor(weights, List.of(recipient), system).get(0);
  }

  /**
   * {@link #payloadFor} for each of {@code recipients}, in their order (the global model goes to
   * every sampled node): each remote recipient gets a claim of its own, all on one offer of the
   * weights' bytes, whose size and CRC32 are taken once.
   */
  public static List<WeightsPayload> payloadsFor(
      ModelWeights weights, List<? extends ActorRef<?>> recipients, ActorSystem<?> system) {
    return ByteTransfer.payloadsFor(
        (long) weights.size() * Float.BYTES,
        true,
        () -> ByteTransfer.Offered.of(weights),
        recipients,
        system,
        new WeightsPayload.Inline(weights),
        claim -> encoded(weights, claim));
  }

  /**
   * Offers {@code weights} over this system's side channel for one receiver to {@link #fetch}
   * within the subscription timeout, whatever {@code flock.transfer.side-channel} says; fails when
   * the side channel cannot bind. The sender keeps a reference to the weights until then, no copy.
   */
  public static WeightsPayload.Encoded offerOnSideChannel(
      ModelWeights weights, ActorSystem<?> system) {
    return encoded(
        weights, ByteTransfer.offerOnSideChannel(ByteTransfer.Offered.of(weights), system));
  }

  /**
   * Offers {@code weights} as a stream of chunks over Artery for one receiver to {@link #fetch}
   * within the subscription timeout. Chunks are encoded lazily as the receiver asks for them.
   */
  public static WeightsPayload.Encoded offer(ModelWeights weights, ActorSystem<?> system) {
    return encoded(weights, ByteTransfer.stream(ByteTransfer.Offered.of(weights), system));
  }

  /**
   * The weights of an inline payload, for code that handles only in-JVM messages (tests, one-JVM
   * tools).
   *
   * @throws IllegalStateException for an encoded payload: {@link #fetch} it
   */
  public static ModelWeights inline(WeightsPayload payload) {
    if (payload instanceof WeightsPayload.Inline inline) {
      return inline.weights();
    }
    throw new IllegalStateException(payload + " is a claim: fetch it with WeightsTransfer.fetch");
  }

  /**
   * The weights of {@code payload}: at once for an inline payload; for an encoded one, when all
   * its bytes arrived and the size and CRC32 match. Fails with {@link TransferException} (never
   * wrapped) when the transfer fails, stalls longer than {@code flock.transfer.idle-timeout}, or
   * delivers something else than promised. Completes on a stream thread: actors use {@code
   * pipeToSelf}.
   */
  public static CompletionStage<ModelWeights> fetch(
      WeightsPayload payload, ActorSystem<?> system) {
    if (payload instanceof WeightsPayload.Inline inline) {
      return CompletableFuture.completedFuture(inline.weights());
    }
    WeightsPayload.Encoded encoded = (WeightsPayload.Encoded) payload;
    return ByteTransfer.fetch(encoded.bytes(), new Assembly.Weights(encoded), system);
  }

  private static WeightsPayload.Encoded encoded(ModelWeights weights, BytesPayload.Claim bytes) {
    return new WeightsPayload.Encoded(weights.layout(), bytes);
  }
}
