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
 * one JVM, passed by reference; small models across JVMs) or a claim on a chunked stream of them
 * ({@link Streamed}: big models across JVMs). Senders build one with {@link
 * WeightsTransfer#payloadFor}; receivers turn it back into {@link ModelWeights} with {@link
 * WeightsTransfer#fetch}, which both variants support, so an actor handles them alike.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WeightsPayload.Inline.class, name = "inline"),
  @JsonSubTypes.Type(value = WeightsPayload.Streamed.class, name = "streamed")
})
public sealed interface WeightsPayload extends CborSerializable {

  /** The layout of the weights this payload carries. */
  ModelLayout layout();

  /** Number of float32 parameters this payload carries. */
  default int numParams() {
    return layout().numParams();
  }

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
}
