package io.flock.actors.transfer;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.StreamRefAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * Moves model weights of any size between JVMs without ever putting more than a chunk into one
 * Artery message. Artery's frame (256 KiB by default) silently drops bigger messages, and its
 * large-message channel would need a direct buffer of the whole model per message in flight; a
 * stream of chunks needs neither, and the receiver's demand bounds what a transfer holds in
 * transit ({@code window x chunk-size}).
 *
 * <p>Sender: {@link #payloadFor} (inline when the recipient is in this JVM or the weights are
 * small, else {@link #offer}). Receiver: {@link #fetch}, whose result an actor pipes to itself.
 * Pure stream plumbing, no actor: a transfer is Pekko's {@link SourceRef} of byte chunks, with its
 * ordering, backpressure, subscription timeout and failure propagation. What arrives is checked
 * against the promised layout size and CRC32, so a completed fetch is bit-exact.
 */
public final class WeightsTransfer {

  private WeightsTransfer() {}

  /**
   * The payload to send {@code weights} to {@code recipient} with: {@link WeightsPayload.Inline}
   * when the recipient lives in this JVM (messages pass by reference) or the payload is at most
   * {@code flock.transfer.inline-limit}; otherwise a fresh {@link #offer}. One payload per
   * recipient: a streamed one is single use.
   */
  public static WeightsPayload payloadFor(
      ModelWeights weights, ActorRef<?> recipient, ActorSystem<?> system) {
    TransferSettings settings = TransferSettings.from(system.settings().config());
    boolean local = !recipient.path().address().hasGlobalScope();
    if (local || (long) weights.size() * Float.BYTES <= settings.inlineLimitBytes()) {
      return new WeightsPayload.Inline(weights);
    }
    return offer(weights, system, settings);
  }

  /**
   * Offers {@code weights} as a stream of chunks for one receiver to {@link #fetch} within the
   * subscription timeout. Chunks are encoded lazily as the receiver asks for them: the sender
   * holds no copy of the payload (the CRC32 is computed once per weights instance and cached).
   */
  public static WeightsPayload.Streamed offer(ModelWeights weights, ActorSystem<?> system) {
    return offer(weights, system, TransferSettings.from(system.settings().config()));
  }

  /**
   * The weights of an inline payload, for code that handles only in-JVM messages (tests, one-JVM
   * tools).
   *
   * @throws IllegalStateException for a streamed payload: {@link #fetch} it
   */
  public static ModelWeights inline(WeightsPayload payload) {
    if (payload instanceof WeightsPayload.Inline inline) {
      return inline.weights();
    }
    throw new IllegalStateException(payload + " is streamed: fetch it with WeightsTransfer.fetch");
  }

  static WeightsPayload.Streamed offer(
      ModelWeights weights, ActorSystem<?> system, TransferSettings settings) {
    int perChunk = settings.chunkBytes() / Float.BYTES;
    int n = weights.size();
    int chunks = (n + perChunk - 1) / perChunk;
    long crc = weights.checksum();
    SourceRef<ByteString> ref =
        Source.range(0, chunks - 1)
            .map(
                i -> {
                  int from = i * perChunk;
                  return ByteString.fromArrayUnsafe(
                      weights.payloadSlice(from, Math.min(perChunk, n - from)));
                })
            .runWith(
                StreamRefs.<ByteString>sourceRef()
                    .addAttributes(
                        StreamRefAttributes.subscriptionTimeout(settings.subscriptionTimeout())),
                Materializer.matFromSystem(system));
    return new WeightsPayload.Streamed(weights.layout(), crc, ref);
  }

  /**
   * The weights of {@code payload}: at once for an inline payload; for a streamed one, when the
   * last chunk has arrived and the size and CRC32 match. Fails with {@link
   * WeightsTransferException} (never wrapped) when the stream fails, stalls longer than {@code
   * flock.transfer.idle-timeout}, or delivers something else than promised. Completes on a
   * stream thread: actors use {@code pipeToSelf}.
   */
  public static CompletionStage<ModelWeights> fetch(
      WeightsPayload payload, ActorSystem<?> system) {
    if (payload instanceof WeightsPayload.Inline inline) {
      return CompletableFuture.completedFuture(inline.weights());
    }
    WeightsPayload.Streamed streamed = (WeightsPayload.Streamed) payload;
    TransferSettings settings = TransferSettings.from(system.settings().config());
    Assembly assembly = new Assembly(streamed.layout(), streamed.crc32());
    CompletableFuture<ModelWeights> result = new CompletableFuture<>();
    try {
      streamed
          .chunks()
          .getSource()
          .addAttributes(StreamRefAttributes.bufferCapacity(settings.window()))
          .idleTimeout(settings.idleTimeout())
          .runForeach(assembly::append, Materializer.matFromSystem(system))
          .whenComplete(
              (done, error) -> {
                if (error != null) {
                  result.completeExceptionally(failure(streamed, error));
                } else {
                  try {
                    result.complete(assembly.finish());
                  } catch (WeightsTransferException e) {
                    result.completeExceptionally(e);
                  }
                }
              });
    } catch (RuntimeException e) { // e.g. the system is terminating
      result.completeExceptionally(failure(streamed, e));
    }
    return result;
  }

  private static WeightsTransferException failure(WeightsPayload.Streamed streamed, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof WeightsTransferException w) {
      return w;
    }
    return new WeightsTransferException(
        "the transfer of " + streamed + " failed: " + cause, cause);
  }

  /** Reassembles chunks into the float array of the weights, checking size and CRC32. */
  private static final class Assembly {
    private final ModelLayout layout;
    private final long expectedCrc;
    private final float[] values;
    private final CRC32 crc = new CRC32();
    private int filled;

    Assembly(ModelLayout layout, long expectedCrc) {
      this.layout = layout;
      this.expectedCrc = expectedCrc;
      this.values = new float[layout.numParams()];
    }

    void append(ByteString chunk) {
      int bytes = chunk.size();
      if (bytes % Float.BYTES != 0) {
        throw new WeightsTransferException(
            "a chunk of " + bytes + " bytes is not a whole number of float32 values");
      }
      int count = bytes / Float.BYTES;
      if (count > values.length - filled) {
        throw new WeightsTransferException(
            "more than the " + values.length + " promised values arrived (" + layout.describe()
                + ")");
      }
      byte[] bytesOfChunk = chunk.toArrayUnsafe(); // no copy for a compact chunk, as received
      crc.update(bytesOfChunk, 0, bytes);
      ByteBuffer.wrap(bytesOfChunk, 0, bytes)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(values, filled, count);
      filled += count;
    }

    ModelWeights finish() {
      if (filled != values.length) {
        throw new WeightsTransferException(
            "the stream ended after " + filled + " of " + values.length + " values ("
                + layout.describe() + ")");
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
}
