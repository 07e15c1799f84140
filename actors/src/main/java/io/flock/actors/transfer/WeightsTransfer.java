package io.flock.actors.transfer;

import io.flock.models.weights.ModelWeights;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.StreamRefAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * Moves model weights of any size between JVMs without ever putting more than a small message
 * into Artery. Artery's frame (256 KiB by default) silently drops bigger messages, and its
 * large-message channel would need a direct buffer of the whole model per message in flight.
 *
 * <p>Sender: {@link #payloadFor}: inline when the recipient is in this JVM or the weights are
 * small; else, by default, an offer on this system's {@link SideChannel} (a TCP or TLS connection
 * of the receiver's own, measured 1.5-3x faster than Artery for big models); with {@code
 * flock.transfer.side-channel = off} (or when its server cannot bind) an {@link #offer} of chunks
 * over a Pekko {@link SourceRef}, whose receiver's demand bounds what a transfer holds in transit
 * ({@code window x chunk-size}). Receiver: {@link #fetch}, whose result an actor pipes to itself.
 * Pure stream plumbing, no actor. What arrives is checked against the promised layout size and
 * CRC32, so a completed fetch is bit-exact.
 */
public final class WeightsTransfer {

  private WeightsTransfer() {}

  /**
   * The payload to send {@code weights} to {@code recipient} with: {@link WeightsPayload.Inline}
   * when the recipient lives in this JVM (messages pass by reference) or the payload is at most
   * {@code flock.transfer.inline-limit}; otherwise a fresh {@link WeightsPayload.Socket} offer on
   * the side channel or, when that is off or cannot bind, a fresh {@link #offer}. One payload per
   * recipient: socket and streamed ones are single use.
   */
  public static WeightsPayload payloadFor(
      ModelWeights weights, ActorRef<?> recipient, ActorSystem<?> system) {
    TransferSettings settings = SideChannel.get(system).settings();
    boolean local = !recipient.path().address().hasGlobalScope();
    if (local || (long) weights.size() * Float.BYTES <= settings.inlineLimitBytes()) {
      return new WeightsPayload.Inline(weights);
    }
    if (settings.sideChannel()) {
      Optional<WeightsPayload.Socket> socket = SideChannel.get(system).offer(weights);
      if (socket.isPresent()) {
        return socket.get();
      }
    }
    return offer(weights, system, settings);
  }

  /**
   * Offers {@code weights} over this system's side channel for one receiver to {@link #fetch}
   * within the subscription timeout, whatever {@code flock.transfer.side-channel} says; fails when
   * the side channel cannot bind. The sender keeps a reference to the weights until then, no copy.
   */
  public static WeightsPayload.Socket offerOnSideChannel(
      ModelWeights weights, ActorSystem<?> system) {
    SideChannel channel = SideChannel.get(system);
    channel.start();
    return channel
        .offer(weights)
        .orElseThrow(
            () ->
                new WeightsTransferException(
                    "the side channel of " + system.address() + " could not bind (see the log)"));
  }

  /**
   * Offers {@code weights} as a stream of chunks for one receiver to {@link #fetch} within the
   * subscription timeout. Chunks are encoded lazily as the receiver asks for them: the sender
   * holds no copy of the payload (the CRC32 is computed once per weights instance and cached).
   */
  public static WeightsPayload.Streamed offer(ModelWeights weights, ActorSystem<?> system) {
    return offer(weights, system, SideChannel.get(system).settings());
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
    if (payload instanceof WeightsPayload.Socket socket) {
      CompletableFuture<ModelWeights> result = new CompletableFuture<>();
      try {
        SideChannelFetch.fetch(socket, SideChannel.get(system))
            .whenComplete(
                (w, error) -> {
                  if (error != null) {
                    result.completeExceptionally(failure(socket, error));
                  } else {
                    result.complete(w);
                  }
                });
      } catch (RuntimeException e) { // e.g. the system is terminating
        result.completeExceptionally(failure(socket, e));
      }
      return result;
    }
    WeightsPayload.Streamed streamed = (WeightsPayload.Streamed) payload;
    TransferSettings settings = SideChannel.get(system).settings();
    WeightsAssembly assembly = new WeightsAssembly(streamed.layout(), streamed.crc32());
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

  private static WeightsTransferException failure(WeightsPayload streamed, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof WeightsTransferException w) {
      return w;
    }
    return new WeightsTransferException(
        "the transfer of " + streamed + " failed: " + cause, cause);
  }
}
