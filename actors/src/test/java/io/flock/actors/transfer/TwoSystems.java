package io.flock.actors.transfer;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A sender and a receiver actor system in this JVM, talking over real Artery TCP on 127.0.0.1:
 * what one sends is serialized by its system and decoded by the other's, as between two JVMs.
 */
abstract class TwoSystems {

  /** Remoting on a free loopback port, with {@code idle-timeout} for a stalled transfer. */
  static Config remote(String idleTimeout) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        flock.transfer.idle-timeout = %s
        """.formatted(idleTimeout));
  }

  ActorTestKit sender;
  ActorTestKit receiver;

  /** How long a test's transfer may stall before it fails. */
  abstract String idleTimeout();

  @BeforeEach
  void startSystems() {
    sender = ActorTestKit.create("sender", remote(idleTimeout()).withFallback(Fixtures.testConfig()));
    receiver = ActorTestKit.create("receiver", remote(idleTimeout()).withFallback(Fixtures.testConfig()));
  }

  @AfterEach
  void stopSystems() {
    receiver.shutdownTestKit();
    sender.shutdownTestKit();
  }
}
