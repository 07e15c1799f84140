package io.flock.actors.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.flock.actors.protocol.CborSerializable;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;

/**
 * Model weights as a protocol message field: either the weights themselves ({@link Inline}: in
 * one JVM, passed by reference; small models across JVMs) or a claim on them for big models
 * across JVMs: a connection of their own to the sender's side channel ({@link Socket}, the
 * default) or a chunked stream over Artery ({@link Streamed}, with the side channel off). Senders build one with {@link
 * WeightsTransfer#payloadFor}; receivers turn it back into {@link ModelWeights} with {@link
 * WeightsTransfer#fetch}, which both variants support, so an actor handles them alike.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WeightsPayload.Inline.class, name = "inline"),
  @JsonSubTypes.Type(value = WeightsPayload.Streamed.class, name = "streamed"),
  @JsonSubTypes.Type(value = WeightsPayload.Socket.class, name = "socket")
})
public sealed interface WeightsPayload extends CborSerializable {

  /** The layout of the weights this payload carries. */
  ModelLayout layout();


  /**
   * The weights in the message itself: one CBOR byte string on the wire, so it must fit Artery's
   * frame ({@code pekko.remote.artery.advanced.maximum-frame-size}) when it crosses JVMs.
   *
   * @param weights the weights
   */
  record Inline(ModelWeights weights) implements WeightsPayload {
    /** Rejects null weights. */
    public Inline {
      if (weights == null) {
        throw new IllegalArgumentException("weights must not be null");
      }
    }

    @Override
    public ModelLayout layout() {
      return weights.layout();
    }
  }

  /**
   * A claim on weights the sender streams in chunks of little-endian float32 bytes over a Pekko
   * {@link SourceRef}, with backpressure. Single use: it can be fetched once, by one receiver,
   * and only within {@code flock.transfer.subscription-timeout} of being offered; after that the
   * sender's side of the stream is gone.
   *
   * @param layout layout of the streamed weights
   * @param crc32 CRC32 of the whole payload ({@link ModelWeights#checksum()}), checked on arrival
   * @param chunks the chunks, in order
   */
  record Streamed(ModelLayout layout, long crc32, SourceRef<ByteString> chunks)
      implements WeightsPayload {
    /** Validates the fields. */
    public Streamed {
      if (layout == null || chunks == null) {
        throw new IllegalArgumentException("a streamed payload needs a layout and a chunk source");
      }
      if (crc32 < 0 || crc32 > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("crc32 must be in [0, 2^32), was " + crc32);
      }
    }

    @Override
    public String toString() {
      return String.format("Streamed[params=%d, crc32=%08x]", layout.numParams(), crc32);
    }
  }

  /**
   * A claim on weights the sender serves over its side channel ({@link SideChannel}): a TCP
   * connection of their own (TLS with mutual authentication when Artery uses TLS) to {@code
   * host:port}, on which the receiver presents {@code transferId} and reads the little-endian
   * float32 payload with TCP backpressure. Single use: the first connection that presents the id
   * consumes it, and the sender drops it after {@code flock.transfer.subscription-timeout}.
   *
   * @param layout layout of the weights
   * @param crc32 CRC32 of the whole payload ({@link ModelWeights#checksum()}), checked on arrival
   * @param host the sender's Artery canonical hostname
   * @param port the sender's side-channel port
   * @param transferId random 128-bit id of this offer, 32 lower-case hex digits; a bearer secret
   *     for the connection, so {@link #toString()} leaves it out
   */
  record Socket(ModelLayout layout, long crc32, String host, int port, String transferId)
      implements WeightsPayload {
    /** Validates the fields. */
    public Socket {
      if (layout == null || host == null || host.isEmpty()) {
        throw new IllegalArgumentException("a socket payload needs a layout and a host");
      }
      if (crc32 < 0 || crc32 > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("crc32 must be in [0, 2^32), was " + crc32);
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
      return String.format(
          "Socket[params=%d, crc32=%08x, from=%s:%d]", layout.numParams(), crc32, host, port);
    }
  }
}
