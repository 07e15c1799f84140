package io.flock.actors.transfer;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side channel of one actor system: a Pekko Streams TCP server (TLS with Artery's SSL engine
 * provider when Artery runs over {@code tls-tcp}) from which receivers fetch offered bytes (model
 * weights, checkpoint files), and
 * the client side they fetch with ({@link SideChannelFetch}).
 *
 * <p>Protocol, per connection: the receiver writes the offer's 16-byte transfer id; the server
 * answers with one status byte ({@link #FOUND} or {@link #UNKNOWN}) and, when found, the payload
 * length (8 bytes, big-endian) and the payload, encoded lazily in chunks as
 * TCP backpressure allows; then it closes. An id is random (128 bits from {@link SecureRandom}),
 * single use (removed on its first connection) and dropped after {@code
 * flock.transfer.subscription-timeout}. The server binds on the first offer; a bind that fails
 * leaves the system on the StreamRef path, with an error in the log.
 */
public final class SideChannel implements Extension {

  /** The extension's id: one side channel per actor system. */
  public static final ExtensionId<SideChannel> ID =
      new ExtensionId<>() {
        @Override
        public SideChannel createExtension(ActorSystem<?> system) {
          return new SideChannel(system);
        }
      };

  static final int ID_BYTES = 16;
  static final byte FOUND = 0;
  static final byte UNKNOWN = 1;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(SideChannel.class);

  private final ActorSystem<?> system;
  private final TransferSettings settings;
  private final Optional<SSLEngineProvider> tls;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, ByteTransfer.Offered> offers = new ConcurrentHashMap<>();
  private volatile InetSocketAddress bound;
  private java.util.concurrent.CompletableFuture<InetSocketAddress> binding;

  private SideChannel(ActorSystem<?> system) {
    this.system = system;
    this.settings = TransferSettings.from(system.settings().config());
    this.tls = tlsProvider(system);
  }

  /** The side channel of {@code system}. */
  public static SideChannel get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Whether connections use TLS (Artery's transport is {@code tls-tcp}). */
  public boolean usesTls() {
    return tls.isPresent();
  }

  /**
   * Offers {@code bytes} to one receiver, or empty while the server does not listen (the caller
   * streams over Artery instead).
   */
  Optional<BytesPayload.Socket> offer(ByteTransfer.Offered bytes) {
    InetSocketAddress address = bound;
    if (address == null) {
      // Never block the caller (an actor): bind in the background and stream over Artery this
      // time. `flock seed` / `flock member` call start() before any actor offers anything.
      startBinding();
      return Optional.empty();
    }
    return Optional.of(offerAt(address, bytes));
  }

  /**
   * Binds the server now and waits for it (at most 10 s): for a JVM's start-up, outside actors.
   *
   * @return whether the side channel listens
   */
  public boolean start() {
    try {
      startBinding().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // logged by startBinding's failure handler
    }
    return bound != null;
  }


  private synchronized java.util.concurrent.CompletableFuture<InetSocketAddress> startBinding() {
    if (binding == null) {
      binding = bind().whenComplete((address, e) -> {
        if (e != null) {
          LOG.error("flock.transfer.side-channel: cannot bind port {} ({}); transfers stream over Artery"
              + " instead. Free the port or set flock.transfer.side-channel-port.", settings.sideChannelPort(),
              e.toString());
        } else {
          bound = address;
          LOG.debug("side channel listening on {} (tls: {})", address, tls.isPresent());
        }
      });
    }
    return binding;
  }

  private BytesPayload.Socket offerAt(InetSocketAddress address, ByteTransfer.Offered bytes) {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    String transferId = HexFormat.of().formatHex(id);
    offers.put(transferId, bytes);
    system
        .scheduler()
        .scheduleOnce(
            settings.subscriptionTimeout(),
            () -> offers.remove(transferId),
            system.executionContext());
    String host = system.address().getHost().orElseThrow();
    return new BytesPayload.Socket(bytes.size(), bytes.crc32(), host, address.getPort(), transferId);
  }

  /** Offers not yet fetched and not yet expired. */
  int pendingOffers() {
    return offers.size();
  }

  private java.util.concurrent.CompletableFuture<InetSocketAddress> bind() {
    Config config = system.settings().config();
    String bindHost = config.getString("pekko.remote.artery.bind.hostname");
    String host = bindHost.isEmpty() ? system.address().getHost().orElseThrow() : bindHost;
    int port = settings.sideChannelPort();
    Tcp tcp = Tcp.get(Adapter.toClassic(system));
    // A receiver that stops reading (or never sends its id) holds a connection and its offered
    // bytes only until no byte has moved for the idle timeout. Pekko's idle timeout counts bytes
    // in both directions, so the answer has an idle timeout of its own (see answer): one that
    // stops reading but keeps writing after its id is cut off too.
    Optional<java.time.Duration> idle = Optional.of(settings.idleTimeout());
    Source<Tcp.IncomingConnection, java.util.concurrent.CompletionStage<Tcp.ServerBinding>> server =
        tls.isPresent()
            ? tcp.bindWithTls(
                host,
                port,
                () -> tls.get().createServerSSLEngine(host, port),
                100,
                List.of(),
                idle,
                session -> verified(tls.get().verifyClientSession(host, session)),
                // Close the session when the payload is out and flushed, never on the reading
                // side's end alone (eagerClose can cut off the payload's tail).
                org.apache.pekko.stream.IgnoreCancel$.MODULE$)
            : tcp.bind(host, port, 100, List.of(), false, idle);
    Materializer mat = Materializer.matFromSystem(system);
    return server
        .to(
            Sink.foreach(
                connection -> connection.handleWith(serve(connection.remoteAddress()), mat)))
        .run(mat)
        .toCompletableFuture()
        .thenApply(Tcp.ServerBinding::localAddress);
  }

  /**
   * One connection: reads the transfer id (ignoring anything after it), answers with the payload
   * or {@link #UNKNOWN}, then completes, which closes the connection once the payload is flushed.
   * Reading and answering are not coupled: stopping the reading side as the answer completes
   * would abort the connection (TCP RST) and could drop the payload's tail. A receiver that hangs
   * up before its id, or sends none within the idle timeout, gets no answer; one that hangs up
   * during the answer fails the server's next write, which ends the connection. A connection that
   * ends in a failure is logged (the idle timeout included): the receiver's own fetch fails too,
   * but only this side knows how the connection ended here.
   */
  Flow<ByteString, ByteString, NotUsed> serve(InetSocketAddress from) {
    CompletableFuture<String> transferId = new CompletableFuture<>();
    AtomicReference<ByteTransfer.Offered> sending = new AtomicReference<>();
    ByteString[] head = {ByteString.emptyByteString()};
    Sink<ByteString, NotUsed> in =
        Sink.<ByteString>foreach(
                bytes -> {
                  if (!transferId.isDone()) {
                    head[0] = head[0].concat(bytes);
                    if (head[0].size() >= ID_BYTES) {
                      transferId.complete(
                          HexFormat.of().formatHex(head[0].take(ID_BYTES).toArray()));
                    }
                  }
                })
            .mapMaterializedValue(
                done -> {
                  done.whenComplete(
                      (d, e) -> {
                        transferId.completeExceptionally(
                            new IllegalStateException("the receiver sent no transfer id"));
                        if (e != null) {
                          logFailure(from, sending.get(), e);
                        }
                      });
                  return NotUsed.getInstance();
                });
    long timeoutMs = settings.idleTimeout().toMillis();
    Source<ByteString, NotUsed> out =
        Source.completionStage(transferId.orTimeout(timeoutMs, TimeUnit.MILLISECONDS))
            .flatMapConcat(id -> answer(id, sending));
    return Flow.fromSinkAndSource(in, out);
  }

  /**
   * The answer to {@code transferId}; the offer it takes goes to {@code sending}. The payload fails
   * with a {@link TimeoutException} when the receiver takes none of it for the idle timeout,
   * whatever it keeps sending (the connection's own idle timeout counts bytes both ways).
   */
  private Source<ByteString, NotUsed> answer(
      String transferId, AtomicReference<ByteTransfer.Offered> sending) {
    ByteTransfer.Offered bytes = offers.remove(transferId); // single use
    if (bytes == null) {
      return Source.single(ByteString.fromArrayUnsafe(new byte[] {UNKNOWN}));
    }
    sending.set(bytes);
    ByteBuffer header = ByteBuffer.allocate(1 + Long.BYTES).put(FOUND).putLong(bytes.size());
    return Source.single(ByteString.fromArrayUnsafe(header.array()))
        .concat(bytes.chunks(settings.sideChannelChunkBytes()))
        .idleTimeout(settings.idleTimeout());
  }

  /**
   * Logs a connection that ended in a failure, at INFO: the cause is the receiver's or the
   * network's, not this JVM's (the receiver's fetch fails with its own message). The transfer id
   * is a secret: the offer is named by its size and CRC32.
   */
  private void logFailure(InetSocketAddress from, ByteTransfer.Offered offer, Throwable e) {
    String during =
        offer == null
            ? "before any payload"
            : String.format(
                "during a payload of %d bytes (crc32 %08x)", offer.size(), offer.crc32());
    String idle = "flock.transfer.idle-timeout (" + settings.idleTimeout() + ")";
    String why =
        !(e instanceof TimeoutException)
            ? e.toString()
            : offer == null
                ? "no transfer id within " + idle
                : "no byte moved for " + idle + ": the receiver stopped reading or is gone";
    LOG.info("side channel: the connection from {} failed {}: {}", from, during, why);
  }

  /** A client-side SSL engine for the side channel of {@code host:port} (TLS only). */
  SSLEngine clientEngine(String host, int port) {
    return tls.orElseThrow().createClientSSLEngine(host, port);
  }

  /** Verifies the server's session after the handshake (TLS only). */
  Optional<Throwable> verifyServer(String host, SSLSession session) {
    return verified(tls.orElseThrow().verifyServerSession(host, session));
  }

  /** This system's {@code flock.transfer} settings, parsed once (every payload reads them). */
  TransferSettings settings() {
    return settings;
  }

  ActorSystem<?> system() {
    return system;
  }

  private static Optional<Throwable> verified(scala.Option<Throwable> failure) {
    return failure.isDefined() ? Optional.of(failure.get()) : Optional.empty();
  }

  // Artery's own provider class (pekko.remote.artery.ssl.ssl-engine-provider), built as Artery
  // builds it: same key store, trust store, protocol, suites and mutual authentication.
  private static Optional<SSLEngineProvider> tlsProvider(ActorSystem<?> system) {
    Config config = system.settings().config();
    if (!"tls-tcp".equals(config.getString("pekko.remote.artery.transport"))) {
      return Optional.empty();
    }
    String className = config.getString("pekko.remote.artery.ssl.ssl-engine-provider");
    try {
      Class<?> cls = Class.forName(className, true, SideChannel.class.getClassLoader());
      return Optional.of(
          (SSLEngineProvider)
              cls.getConstructor(org.apache.pekko.actor.ActorSystem.class)
                  .newInstance(Adapter.toClassic(system)));
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException(
          "pekko.remote.artery.ssl.ssl-engine-provider: cannot create " + className
              + " with an ActorSystem constructor: " + e,
          e);
    }
  }
}
