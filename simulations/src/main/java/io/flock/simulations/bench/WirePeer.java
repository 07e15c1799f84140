package io.flock.simulations.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.protocol.LocalOnly;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.actors.transfer.WeightsTransfer;
import io.flock.models.weights.ModelWeights;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The receiving JVM of {@link WireBench} and of the two-JVM transfer test: an actor system on
 * 127.0.0.1 with a {@link #sink} at {@code /user/sink} that takes weights and says when they
 * are complete, plus a plain TCP server that does the same for raw bytes. Prints {@code READY
 * <sink ref> <socket port>} on stdout once both listen; exits when its stdin closes (the parent is
 * done or gone).
 */
public final class WirePeer {

  private WirePeer() {}

  /**
   * How weights travel: over Flock's side channel (the default), streamed in chunks over Artery,
   * or inline on Artery's large-message channel.
   */
  public enum Design {
    /** {@link WeightsTransfer}'s default: a TCP connection of the receiver's own to the sender. */
    SOCKET,
    /** {@link WeightsTransfer} with the side channel off: a StreamRef of 128 KiB chunks. */
    CHUNKED,
    /** One message through Artery's large-message channel with a frame sized to the model. */
    LARGE_FRAME;

    /** Lower-case name with dashes, as on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Messages of the sink. */
  public sealed interface Command {}

  /** Take these weights; reply when they are complete in this JVM. */
  public record Deliver(WeightsPayload payload, ActorRef<Delivered> replyTo)
      implements Command, CborSerializable {}

  /** The weights of the last {@link Deliver} are complete: {@code params} values, or an error. */
  public record Delivered(int params, String error) implements CborSerializable {}

  /** Reply with the CRC32 of the last weights received (outside the timed part). */
  public record Verify(ActorRef<Verified> replyTo) implements Command, CborSerializable {}

  /** CRC32 of the last weights received, -1 when there are none. */
  public record Verified(long crc32) implements CborSerializable {}

  private record Fetched(ModelWeights weights, Throwable error, ActorRef<Delivered> replyTo)
      implements Command, LocalOnly {}

  /** The sink: fetches each delivered payload and keeps the last weights for {@link Verify}. */
  static Behavior<Command> sink() {
    return Behaviors.setup(ctx -> sink(ctx, null));
  }

  private static Behavior<Command> sink(ActorContext<Command> ctx, ModelWeights last) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Deliver.class,
            d -> {
              ctx.pipeToSelf(
                  WeightsTransfer.fetch(d.payload(), ctx.getSystem()),
                  (w, e) -> new Fetched(w, e, d.replyTo()));
              return sink(ctx, null); // drop the previous weights before the next arrive
            })
        .onMessage(
            Fetched.class,
            f -> {
              if (f.error() != null) {
                f.replyTo().tell(new Delivered(0, String.valueOf(f.error().getMessage())));
                return sink(ctx, null);
              }
              f.replyTo().tell(new Delivered(f.weights().size(), null));
              return sink(ctx, f.weights());
            })
        .onMessage(
            Verify.class,
            v -> {
              v.replyTo().tell(new Verified(last == null ? -1 : last.checksum()));
              return sink(ctx, null);
            })
        .build();
  }

  /**
   * Artery on 127.0.0.1, a free port; for {@link Design#CHUNKED} the side channel off; for {@link
   * Design#LARGE_FRAME} the large-message channel
   * for {@code /user/sink} with a frame that fits {@code maxPayloadBytes} plus headers. Both JVMs
   * of a run use the same configuration.
   */
  public static Config config(Design design, long maxPayloadBytes) {
    String large = design == Design.CHUNKED ? "flock.transfer.side-channel = off\n" : "";
    if (design == Design.LARGE_FRAME) {
      long frameMiB = (maxPayloadBytes >> 20) + 2;
      large =
          """
          pekko.remote.artery.large-message-destinations = ["/user/sink"]
          pekko.remote.artery.advanced.maximum-large-frame-size = %d MiB
          pekko.remote.artery.advanced.large-buffer-pool-size = 2
          """
              .formatted(frameMiB);
    }
    return ConfigFactory.parseString(
            """
            pekko.actor.provider = remote
            pekko.remote.artery.transport = tcp
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            """
                + large)
        .withFallback(ConfigFactory.load());
  }

  /** {@code WirePeer DESIGN MAX_PAYLOAD_BYTES}: run until stdin closes. */
  public static void main(String[] args) throws IOException {
    Design design = Design.valueOf(args[0]);
    long maxPayload = Long.parseLong(args[1]);
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread socketSink = new Thread(() -> serveSockets(server), "wire-peer-socket");
      socketSink.setDaemon(true); // a benchmark process, not an actor: the raw-TCP baseline
      socketSink.start();
      Behavior<Void> guardian =
          Behaviors.setup(
              ctx -> {
                ActorRef<Command> sink = ctx.spawn(sink(), "sink");
                System.out.println(
                    "READY "
                        + ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(sink)
                        + " "
                        + server.getLocalPort());
                System.out.flush();
                return Behaviors.empty();
              });
      ActorSystem<Void> system = ActorSystem.create(guardian, "wire-peer", config(design, maxPayload));
      try {
        InputStream in = System.in;
        while (in.read() >= 0) {
          // wait for the parent to close our stdin
        }
      } finally {
        system.terminate();
      }
    }
  }

  /** Each connection: an 8-byte length, that many bytes into one array, then a 1-byte ack. */
  private static void serveSockets(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket c = server.accept()) {
        DataInputStream in = new DataInputStream(c.getInputStream());
        byte[] payload = new byte[Math.toIntExact(in.readLong())];
        in.readFully(payload);
        OutputStream out = c.getOutputStream();
        out.write(1);
        out.flush();
      } catch (IOException e) {
        if (!server.isClosed()) {
          System.err.println("wire-peer: socket transfer failed: " + e);
        }
      }
    }
  }
}
