package io.flock.actors.transfer;

import io.flock.models.weights.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.StreamRefAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * The one byte-level transfer under {@link BytesPayload} and {@link WeightsTransfer}: moves bytes
 * of any size between JVMs without ever putting more than a small message into Artery. Artery's
 * frame (256 KiB by default) silently drops bigger messages, and its large-message channel would
 * need a direct buffer of the whole payload per message in flight.
 *
 * <p>Sender: {@link #payloadsFor}, the bytes inline or a {@link #claim} per recipient: by default
 * an offer on this system's {@link SideChannel} (a TCP or TLS connection of the receiver's own,
 * measured 1.5-3x faster than Artery for big payloads); with {@code flock.transfer.side-channel =
 * off} (or while its server cannot bind) a {@link #stream} of chunks over a Pekko {@link
 * SourceRef}, whose receiver's demand bounds what a transfer holds in transit ({@code window x
 * chunk-size}). Either way the sender encodes chunks lazily from {@link Offered}, holding no copy.
 * Receiver: {@link #fetch} into an {@link Assembly}, which checks the promised size and CRC32, so a
 * completed fetch is bit-exact. Pure stream plumbing, no actor.
 */
final class ByteTransfer {

  private ByteTransfer() {}

  /**
   * Bytes a sender offers: their size and CRC32, and slices of them encoded as a receiver reads.
   * Offsets and lengths are multiples of 4 (chunk sizes are) except at the end.
   *
   * @param size bytes on offer
   * @param crc32 CRC32 of all of them
   * @param slices bytes {@code [from, from + length)}
   */
  record Offered(long size, long crc32, Slices slices) {

    /** Slices of the offered bytes. */
    interface Slices {
      ByteString slice(long from, int length);
    }

    /** The bytes in chunks of {@code chunk} bytes (the last one shorter), encoded on demand. */
    Source<ByteString, NotUsed> chunks(int chunk) {
      int count = (int) ((size + chunk - 1) / chunk);
      return Source.range(0, count - 1)
          .map(i -> slices.slice((long) i * chunk, (int) Math.min(chunk, size - (long) i * chunk)));
    }

    /** The bytes of an array that must not change afterwards (sliced without a copy). */
    static Offered of(byte[] bytes) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      return new Offered(bytes.length, crc.getValue(),
          (from, length) -> ByteString.fromArrayUnsafe(bytes, (int) from, length));
    }

    /** The little-endian float32 payload of {@code weights} (CRC32 cached by the weights). */
    static Offered of(ModelWeights weights) {
      return new Offered((long) weights.size() * Float.BYTES, weights.checksum(),
          (from, length) -> ByteString.fromArrayUnsafe(
              weights.payloadSlice((int) (from / Float.BYTES), length / Float.BYTES)));
    }
  }

  /** Checks a claim's size and CRC32 (for the claims' constructors). */
  static void checkClaim(long size, long crc32) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, was " + size);
    }
    if (crc32 < 0 || crc32 > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("crc32 must be in [0, 2^32), was " + crc32);
    }
  }

  /**
   * Whether {@code size} bytes for {@code recipient} travel inside the message: when the recipient
   * lives in this JVM (messages pass by reference) or they are at most {@code
   * flock.transfer.inline-limit}.
   */
  static boolean travelsInline(long size, ActorRef<?> recipient, ActorSystem<?> system) {
    return !recipient.path().address().hasGlobalScope()
        || size <= SideChannel.get(system).settings().inlineLimitBytes();
  }

  /**
   * One payload per recipient, in their order: {@code inline} for each recipient the bytes {@link
   * #travelsInline} to (with {@code smallInline}; without, for recipients in this JVM only), else a fresh single-use {@link #claim} of its own. All claims share one
   * {@link Offered}, asked of {@code offered} once and only if some recipient needs a claim: its
   * CRC32 over the whole payload is taken once for all of them.
   *
   * @param size bytes to send
   * @param smallInline whether bytes of at most {@code flock.transfer.inline-limit} travel inline
   *     to another JVM; false gives every recipient in another JVM a claim, whose receiver can
   *     check where its bytes come from (never where inline bytes came from)
   * @param offered the bytes on offer, for the claims
   * @param inline the payload that carries the bytes themselves (immutable, so shared)
   * @param claimed the payload that carries a claim
   */
  static <P> List<P> payloadsFor(
      long size,
      boolean smallInline,
      Supplier<Offered> offered,
      List<? extends ActorRef<?>> recipients,
      ActorSystem<?> system,
      P inline,
      Function<BytesPayload.Claim, P> claimed) {
    List<P> payloads = new ArrayList<>(recipients.size());
    Offered bytes = null;
    for (ActorRef<?> recipient : recipients) {
      if (smallInline ? travelsInline(size, recipient, system) : !recipient.path().address().hasGlobalScope()) {
        payloads.add(inline);
        continue;
      }
      if (bytes == null) {
        bytes = offered.get();
      }
      payloads.add(claimed.apply(claim(bytes, system)));
    }
    return payloads;
  }

  /**
   * A fresh single-use claim on {@code bytes}: a {@link BytesPayload.Socket} offer on the side
   * channel or, when that is off or not (yet) listening, a {@link #stream}.
   */
  static BytesPayload.Claim claim(Offered bytes, ActorSystem<?> system) {
    SideChannel channel = SideChannel.get(system);
    if (channel.settings().sideChannel()) {
      Optional<BytesPayload.Socket> socket = channel.offer(bytes);
      if (socket.isPresent()) {
        return socket.get();
      }
    }
    return stream(bytes, system);
  }

  /**
   * Offers {@code bytes} on this system's side channel whatever {@code flock.transfer.side-channel}
   * says, binding it first if need be; fails when it cannot bind.
   */
  static BytesPayload.Socket offerOnSideChannel(Offered bytes, ActorSystem<?> system) {
    SideChannel channel = SideChannel.get(system);
    channel.start();
    return channel
        .offer(bytes)
        .orElseThrow(
            () ->
                new TransferException(
                    "the side channel of " + system.address() + " could not bind (see the log)"));
  }

  /** Offers {@code bytes} as a stream of chunks over a StreamRef through Artery. */
  static BytesPayload.Streamed stream(Offered bytes, ActorSystem<?> system) {
    TransferSettings settings = SideChannel.get(system).settings();
    SourceRef<ByteString> ref =
        bytes
            .chunks(settings.chunkBytes())
            .runWith(
                StreamRefs.<ByteString>sourceRef()
                    .addAttributes(
                        StreamRefAttributes.subscriptionTimeout(settings.subscriptionTimeout())),
                Materializer.matFromSystem(system));
    return new BytesPayload.Streamed(bytes.size(), bytes.crc32(), ref);
  }

  /**
   * What {@code into} makes of the bytes of {@code claim}, once they all arrived and match its
   * size and CRC32. Fails with {@link TransferException} (never wrapped) when the stream or
   * connection fails, stalls longer than {@code flock.transfer.idle-timeout}, or delivers
   * something else than promised. Completes on a stream thread: actors use {@code pipeToSelf}.
   */
  static <T> CompletionStage<T> fetch(
      BytesPayload.Claim claim, Assembly<T> into, ActorSystem<?> system) {
    SideChannel channel = SideChannel.get(system);
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      CompletionStage<?> done =
          claim instanceof BytesPayload.Socket socket
              ? SideChannelFetch.fetch(socket, into, channel)
              : ((BytesPayload.Streamed) claim)
                  .chunks()
                  .getSource()
                  .addAttributes(StreamRefAttributes.bufferCapacity(channel.settings().window()))
                  .idleTimeout(channel.settings().idleTimeout())
                  .runForeach(into::append, Materializer.matFromSystem(system));
      done.whenComplete(
          (ok, error) -> {
            if (error != null) {
              result.completeExceptionally(failure(claim, error));
            } else {
              try {
                result.complete(into.finish());
              } catch (TransferException e) {
                result.completeExceptionally(e);
              }
            }
          });
    } catch (RuntimeException e) { // e.g. the system is terminating
      result.completeExceptionally(failure(claim, e));
    }
    return result;
  }

  private static TransferException failure(BytesPayload.Claim claim, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof TransferException t) {
      return t;
    }
    return new TransferException("the transfer of " + claim + " failed: " + cause, cause);
  }
}
