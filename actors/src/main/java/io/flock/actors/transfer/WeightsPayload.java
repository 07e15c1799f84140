package io.flock.actors.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.flock.actors.protocol.CborSerializable;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;

/**
 * Model weights as a protocol message field: either the weights themselves ({@link Inline}: in
 * one JVM, passed by reference; small models across JVMs) or, for big models across JVMs, a claim
 * on their bytes ({@link Encoded}: a {@link BytesPayload.Socket} on the sender's side channel by
 * default, a {@link BytesPayload.Streamed} over Artery with the side channel off). Senders build
 * one with {@link WeightsTransfer#payloadFor}; receivers turn it back into {@link ModelWeights}
 * with {@link WeightsTransfer#fetch}, which both variants support, so an actor handles them alike.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WeightsPayload.Inline.class, name = "inline"),
  @JsonSubTypes.Type(value = WeightsPayload.Encoded.class, name = "encoded")
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
   * A claim on the weights as little-endian float32 bytes (the payload {@link
   * ModelWeights#checksum()} fingerprints), for big weights across JVMs: fetched with the same
   * transport and checks as any {@link BytesPayload.Claim}, decoded straight into the weights.
   *
   * @param layout layout of the weights
   * @param bytes the claim: 4 bytes per parameter of {@code layout}
   */
  record Encoded(ModelLayout layout, BytesPayload.Claim bytes) implements WeightsPayload {
    /** Validates the fields: the claim's size must be the layout's. */
    public Encoded {
      if (layout == null || bytes == null) {
        throw new IllegalArgumentException("an encoded payload needs a layout and a claim");
      }
      if (bytes.size() != (long) layout.numParams() * Float.BYTES) {
        throw new IllegalArgumentException("a claim on " + bytes.size() + " bytes cannot hold "
            + layout.numParams() + " float32 parameters (" + layout.describe() + ")");
      }
    }

    @Override
    public String toString() {
      return "Encoded[params=" + layout.numParams() + ", " + bytes + "]";
    }
  }
}
