package io.flock.actors.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.flock.actors.protocol.CborSerializable;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.StreamRefAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * Opaque bytes (a checkpoint file) as a message field: inline when small, else a single-use
 * chunked StreamRef with the size and CRC32 promised, the same transport as {@link
 * WeightsPayload.Streamed}. {@link #offer} on the sender, {@link #fetch} on the receiver.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BytesPayload.Inline.class, name = "inline"),
  @JsonSubTypes.Type(value = BytesPayload.Streamed.class, name = "streamed")
})
public sealed interface BytesPayload extends CborSerializable {

  /** The largest payload a receiver accepts (2 GiB - 1 KiB: a Java array). */
  int MAX_BYTES = Integer.MAX_VALUE - 1024;

  /** The bytes in the message itself. */
  record Inline(byte[] bytes) implements BytesPayload {}

  /** A claim on {@code size} bytes with CRC32 {@code crc32}, streamed in chunks. */
  record Streamed(int size, long crc32, SourceRef<ByteString> chunks) implements BytesPayload {}

  /** The payload for {@code bytes} (which must not change afterwards). */
  static BytesPayload offer(byte[] bytes, ActorSystem<?> system) {
    TransferSettings settings = SideChannel.get(system).settings();
    if (bytes.length <= settings.inlineLimitBytes()) {
      return new Inline(bytes);
    }
    int chunk = settings.chunkBytes();
    int chunks = (bytes.length + chunk - 1) / chunk;
    CRC32 crc = new CRC32();
    crc.update(bytes);
    SourceRef<ByteString> ref = Source.range(0, chunks - 1)
        .map(i -> ByteString.fromArray(bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk)))
        .runWith(StreamRefs.<ByteString>sourceRef()
                .addAttributes(StreamRefAttributes.subscriptionTimeout(settings.subscriptionTimeout())),
            Materializer.matFromSystem(system));
    return new Streamed(bytes.length, crc.getValue(), ref);
  }

  /** The bytes, checked against the promised size and CRC32; fails with {@link WeightsTransferException}. */
  static CompletionStage<byte[]> fetch(BytesPayload payload, ActorSystem<?> system) {
    if (payload instanceof Inline inline) {
      return CompletableFuture.completedFuture(inline.bytes());
    }
    Streamed s = (Streamed) payload;
    TransferSettings settings = SideChannel.get(system).settings();
    if (s.size() < 0 || s.size() > MAX_BYTES) {
      return CompletableFuture.failedFuture(new WeightsTransferException(
          "a streamed payload of " + s.size() + " bytes is outside 0.." + MAX_BYTES));
    }
    ByteBuffer into = ByteBuffer.allocate(s.size());
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    try {
      s.chunks().getSource()
          .addAttributes(StreamRefAttributes.bufferCapacity(settings.window()))
          .idleTimeout(settings.idleTimeout())
          .runForeach(chunk -> {
            if (chunk.size() > into.remaining()) {
              throw new WeightsTransferException("more than the " + s.size() + " promised bytes arrived");
            }
            chunk.copyToBuffer(into);
          }, Materializer.matFromSystem(system))
          .whenComplete((done, error) -> {
            if (error != null) {
              result.completeExceptionally(error instanceof WeightsTransferException w ? w
                  : new WeightsTransferException("the transfer of " + s.size() + " bytes failed: " + error, error));
              return;
            }
            CRC32 crc = new CRC32();
            crc.update(into.array(), 0, into.position());
            if (into.hasRemaining() || crc.getValue() != s.crc32()) {
              result.completeExceptionally(new WeightsTransferException(String.format(
                  "received %d of %d bytes, crc32 %08x of promised %08x", into.position(), s.size(),
                  crc.getValue(), s.crc32())));
            } else {
              result.complete(into.array());
            }
          });
    } catch (RuntimeException e) {
      result.completeExceptionally(new WeightsTransferException("the transfer failed: " + e, e));
    }
    return result;
  }
}
