package io.flock.actors.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.flock.actors.protocol.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.impl.streamref.SourceRefImpl;
import org.apache.pekko.util.ByteString;

/**
 * Opaque bytes as a protocol message field: the bytes themselves ({@link Inline}) or a claim on
 * them that the receiver fetches ({@link Claim}): over the sender's side channel ({@link Socket},
 * the default) or as a chunked stream over Artery ({@link Streamed}, with the side channel off).
 * A checkpoint file travels as one; model weights travel in a claim too ({@link
 * WeightsPayload.Encoded}), so both share one transport, with its size, checksum and id checks.
 * Senders build one with {@link #payloadFor}; receivers get the bytes with {@link #fetch}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BytesPayload.Inline.class, name = "inline"),
  @JsonSubTypes.Type(value = BytesPayload.Streamed.class, name = "streamed"),
  @JsonSubTypes.Type(value = BytesPayload.Socket.class, name = "socket")
})
public sealed interface BytesPayload extends CborSerializable {

  /** The largest byte array a receiver allocates (2 GiB - 1 KiB: a Java array). */
  int MAX_BYTES = Integer.MAX_VALUE - 1024;

  /**
   * The payload to send {@code bytes} (which must not change afterwards) to {@code recipient}
   * with: {@link Inline} when the recipient lives in this JVM or the bytes are at most {@code
   * flock.transfer.inline-limit}, else a fresh single-use {@link Claim}: one per recipient.
   */
  static BytesPayload payloadFor(byte[] bytes, ActorRef<?> recipient, ActorSystem<?> system) {
    return payloadsFor(bytes, List.of(recipient), system).get(0);
  }

  /**
   * {@link #payloadFor} for each of {@code recipients}, in their order; the bytes' CRC32 is taken
   * once for all of them (a checkpoint goes to every standby).
   */
  static List<BytesPayload> payloadsFor(
      byte[] bytes, List<? extends ActorRef<?>> recipients, ActorSystem<?> system) {
    return payloads(bytes, recipients, system, true);
  }

  /**
   * {@link #payloadsFor}, except that a recipient in another JVM gets a claim however small the
   * bytes are: its receiver can check where a claim's bytes come from ({@link Socket#host}, {@link
   * Streamed#origin}), never where inline bytes came from (Artery does not tell an actor which JVM
   * a message arrived from). For checkpoint replicas, which a standby accepts from one JVM only.
   */
  static List<BytesPayload> claimsFor(
      byte[] bytes, List<? extends ActorRef<?>> recipients, ActorSystem<?> system) {
    return payloads(bytes, recipients, system, false);
  }

  private static List<BytesPayload> payloads(
      byte[] bytes, List<? extends ActorRef<?>> recipients, ActorSystem<?> system, boolean smallInline) {
    return ByteTransfer.payloadsFor(
        bytes.length,
        smallInline,
        () -> ByteTransfer.Offered.of(bytes),
        recipients,
        system,
        new Inline(bytes),
        claim -> claim);
  }

  /**
   * The bytes: at once for {@link Inline}; for a claim, when all of them arrived and the size and
   * CRC32 match. Fails with {@link TransferException}, on a stream thread: actors pipe it to
   * themselves.
   */
  static CompletionStage<byte[]> fetch(BytesPayload payload, ActorSystem<?> system) {
    if (payload instanceof Inline inline) {
      return CompletableFuture.completedFuture(inline.bytes());
    }
    Claim claim = (Claim) payload;
    if (claim.size() > MAX_BYTES) {
      return CompletableFuture.failedFuture(new TransferException(
          claim + " promises more than the " + MAX_BYTES + " bytes a receiver accepts"));
    }
    return ByteTransfer.fetch(claim, new Assembly.Bytes(claim), system);
  }

  /**
   * The bytes in the message itself: one CBOR byte string, so it must fit Artery's frame when it
   * crosses JVMs. Compares by content.
   */
  record Inline(byte[] bytes) implements BytesPayload {
    /** Rejects null bytes. */
    public Inline {
      if (bytes == null) {
        throw new IllegalArgumentException("bytes must not be null");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Inline other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Inline[bytes=" + bytes.length + "]";
    }
  }

  /**
   * A single-use claim on {@code size} bytes with CRC32 {@code crc32}, which the receiver checks on
   * arrival: it can be fetched once, by one receiver, within {@code
   * flock.transfer.subscription-timeout} of being offered.
   */
  sealed interface Claim extends BytesPayload {
    /** Bytes promised. */
    long size();

    /** CRC32 of the promised bytes. */
    long crc32();
  }

  /**
   * A claim the sender streams in chunks over a Pekko {@link SourceRef} through Artery, with
   * backpressure.
   *
   * @param size bytes promised
   * @param crc32 CRC32 of the bytes
   * @param chunks the chunks, in order
   */
  record Streamed(long size, long crc32, SourceRef<ByteString> chunks) implements Claim {
    /** Validates the fields. */
    public Streamed {
      ByteTransfer.checkClaim(size, crc32);
      if (chunks == null) {
        throw new IllegalArgumentException("a streamed payload needs a chunk source");
      }
    }

    /**
     * The address of the actor system that streams the chunks, or empty when this Pekko's {@link
     * SourceRef} does not say: that of the sending stream stage's actor, the only sender from which
     * Pekko's stream-ref protocol accepts chunks (a chunk from another fails the fetch). So a
     * completed fetch read its bytes from that system as far as Artery's sender field tells, which
     * is what the sending JVM wrote there: a member that sets a false sender with Pekko's classic
     * API, and knows the name of the fetching stage's actor, is beyond this.
     */
    public Optional<Address> origin() {
      // SourceRefImpl, Pekko's internal and only SourceRef, names its sending stage's actor.
      return chunks instanceof SourceRefImpl<?> impl
          ? Optional.of(impl.initialPartnerRef().path().address())
          : Optional.empty();
    }

    @Override
    public String toString() {
      return String.format("Streamed[bytes=%d, crc32=%08x]", size, crc32);
    }
  }

  /**
   * A claim the sender serves over its {@link SideChannel}: a TCP connection of the receiver's own
   * (TLS with mutual authentication when Artery uses TLS) to {@code host:port}, on which it
   * presents {@code transferId} and reads the bytes with TCP backpressure.
   *
   * @param size bytes promised
   * @param crc32 CRC32 of the bytes
   * @param host the sender's Artery canonical hostname
   * @param port the sender's side-channel port
   * @param transferId random 128-bit id of this offer, 32 lower-case hex digits; a bearer secret
   *     for the connection, so {@link #toString()} leaves it out
   */
  record Socket(long size, long crc32, String host, int port, String transferId) implements Claim {
    /** Validates the fields. */
    public Socket {
      ByteTransfer.checkClaim(size, crc32);
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("a socket payload needs a host");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
      }
      if (transferId == null || !transferId.matches("[0-9a-f]{32}")) {
        throw new IllegalArgumentException("transferId must be 32 lower-case hex digits");
      }
    }

    @Override
    public String toString() {
      return String.format("Socket[bytes=%d, crc32=%08x, from=%s:%d]", size, crc32, host, port);
    }
  }
}
