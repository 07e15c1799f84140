package io.flock.actors.transfer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The receiving side of a {@link BytesPayload.Socket}: one connection to the sender's {@link
 * SideChannel}, the transfer id out, the status, length and payload in, straight into an {@link
 * Assembly}. TCP backpressure paces the sender: the receiver reads as fast as it decodes.
 */
final class SideChannelFetch {

  private static final int READ_AHEAD = 16;

  private final BytesPayload.Socket payload;
  private final Assembly<?> assembly;
  // status byte + 8-byte length, gathered across reads
  private final ByteBuffer header = ByteBuffer.allocate(1 + Long.BYTES);

  private SideChannelFetch(BytesPayload.Socket payload, Assembly<?> assembly) {
    this.payload = payload;
    this.assembly = assembly;
  }

  /**
   * Reads the payload's bytes into {@code assembly}; completes when they are all in (the caller
   * then finishes the assembly, which checks the CRC32).
   */
  static CompletionStage<Done> fetch(
      BytesPayload.Socket payload, Assembly<?> assembly, SideChannel channel) {
    return new SideChannelFetch(payload, assembly).run(channel);
  }

  private CompletionStage<Done> run(SideChannel channel) {
    TransferSettings settings = channel.settings();
    String host = payload.host();
    int port = payload.port();
    InetSocketAddress address = new InetSocketAddress(host, port);
    Tcp tcp = Tcp.get(Adapter.toClassic(channel.system()));
    Flow<ByteString, ByteString, ?> connection =
        channel.usesTls()
            ? tcp.outgoingConnectionWithTls(
                address,
                () -> channel.clientEngine(host, port),
                Optional.empty(),
                List.of(),
                Optional.of(settings.idleTimeout()),
                Optional.empty(),
                session -> channel.verifyServer(host, session),
                TLSClosing.eagerClose())
            : tcp.outgoingConnection(
                address,
                Optional.empty(),
                List.of(),
                true,
                Optional.of(settings.idleTimeout()),
                Optional.empty());
    byte[] id = HexFormat.of().parseHex(payload.transferId());
    // The write side stays open (Source.maybe) until the payload is in: completing it early would
    // half-close the connection, which the server takes for a receiver that hung up.
    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<Done>> running =
        Source.single(ByteString.fromArrayUnsafe(id))
            .concatMat(Source.<ByteString>maybe(), Keep.right())
            .via(connection)
            // Reads go on while the previous ones are decoded: an async boundary with room for
            // READ_AHEAD reads (of pekko.io.tcp.direct-buffer-size, 128 KiB by default) between
            // the connection and the decoding.
            .async()
            .addAttributes(Attributes.inputBuffer(READ_AHEAD, READ_AHEAD))
            .idleTimeout(settings.idleTimeout())
            .map(this::accept)
            .takeWhile(complete -> !complete, true)
            .toMat(Sink.ignore(), Keep.both())
            .run(Materializer.matFromSystem(channel.system()));
    // The connection ends when the payload is in or the fetch fails: close the write side too.
    running.second().whenComplete((done, error) -> running.first().complete(Optional.empty()));
    return running.second();
  }

  /** Takes the next read; true once the whole payload is in. */
  private boolean accept(ByteString bytes) {
    ByteString rest = bytes;
    if (header.hasRemaining()) {
      if (header.position() == 0 && rest.nonEmpty() && rest.head() == SideChannel.UNKNOWN) {
        throw new TransferException(
            "the sender has no transfer " + payload + ": unknown id, already fetched, or not"
                + " fetched within flock.transfer.subscription-timeout");
      }
      int take = Math.min(header.remaining(), rest.size());
      header.put(rest.take(take).toArrayUnsafe());
      rest = rest.drop(take);
      if (header.hasRemaining()) {
        return false;
      }
      long length = header.getLong(1);
      if (header.get(0) != SideChannel.FOUND || length != assembly.size()) {
        throw new TransferException(
            "size mismatch: the sender offers " + length + " bytes, " + payload + " promises "
                + assembly.size());
      }
    }
    if (rest.nonEmpty()) {
      assembly.append(rest);
    }
    return assembly.complete();
  }
}
