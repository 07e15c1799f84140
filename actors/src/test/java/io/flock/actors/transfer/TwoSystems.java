package io.flock.actors.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A sender and a receiver actor system in this JVM, talking over real Artery TCP on 127.0.0.1:
 * what one sends is serialized by its system and decoded by the other's, as between two JVMs. Also
 * the helpers the transfer tests share.
 */
abstract class TwoSystems {

  /** Serializer id of {@code jackson-cbor}, which every payload must use. */
  static final int JACKSON_CBOR = 33;

  /**
   * Remoting on a free loopback port, with {@code idle-timeout} for a stalled transfer. Pekko's
   * {@code LoggingTestKit} returns as soon as the log events it expects happened; the leeway is
   * only the bound on that wait.
   */
  static Config remote(String idleTimeout) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.testkit.typed.filter-leeway = 30s
        flock.transfer.idle-timeout = %s
        """.formatted(idleTimeout));
  }

  ActorTestKit sender;
  ActorTestKit receiver;

  /** How long a test's transfer may stall before it fails. */
  abstract String idleTimeout();

  /** What the sender's system configures beyond {@link #remote} (nothing by default). */
  Config senderConfig() {
    return ConfigFactory.empty();
  }

  @BeforeEach
  void startSystems() {
    Config both = remote(idleTimeout()).withFallback(Fixtures.testConfig());
    sender = ActorTestKit.create("sender", senderConfig().withFallback(both));
    receiver = ActorTestKit.create("receiver", both);
  }

  @AfterEach
  void stopSystems() {
    receiver.shutdownTestKit();
    sender.shutdownTestKit();
  }

  /** The payload as {@code to} decodes it from the serializer output of {@code from}. */
  @SuppressWarnings("unchecked")
  static <T> T overTheWire(T payload, ActorTestKit from, ActorTestKit to) {
    Serialization out = SerializationExtension.get(from.system());
    byte[] bytes = out.serialize(payload).get();
    var serializer = out.findSerializerFor(payload);
    assertEquals(JACKSON_CBOR, serializer.identifier(), "jackson-cbor");
    return (T)
        SerializationExtension.get(to.system())
            .deserialize(
                bytes, serializer.identifier(), Serializers.manifestFor(serializer, payload))
            .get();
  }

  /** {@code ref}, an actor of {@code owner}, as {@code by} resolves it: a remote ref there. */
  static <T> ActorRef<T> resolvedBy(ActorSystem<?> by, ActorSystem<?> owner, ActorRef<T> ref) {
    return ActorRefResolver.get(by)
        .resolveActorRef(ActorRefResolver.get(owner).toSerializationFormat(ref));
  }

  /** A fresh probe of the receiver's system as the sender's system resolves it: a remote ref. */
  ActorRef<Object> remoteRecipient() {
    return resolvedBy(sender.system(), receiver.system(), receiver.createTestProbe().ref());
  }

  /** What {@code stage} completes with, waiting at most 30 s. */
  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The {@link TransferException} {@code stage} fails with, waiting at most 30 s. */
  static TransferException failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return assertInstanceOf(TransferException.class, e.getCause());
  }
}
