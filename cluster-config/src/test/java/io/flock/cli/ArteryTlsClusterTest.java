package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.protocol.CborSerializable;
import io.flock.privacy.tls.FederationCertificates;
import io.flock.privacy.tls.FederationCertificates.MemberFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Artery TLS overlay of {@code flock certs}, as Pekko 1.7 reads it: a seed and a member with
 * certificates of the federation's CA form a cluster over TLS 1.3 with mutual authentication and
 * hostname verification, and exchange a message; an intruder whose certificate comes from another
 * CA never becomes a member and gets no message through, although it trusts the federation's CA
 * (so only the seed's check of the client certificate keeps it out).
 *
 * <p>Three actor systems in this JVM: each has its own SSL engine provider built from its own key
 * and trust store, and they talk over real TCP connections on 127.0.0.1, so every handshake is a
 * real one; separate JVMs would add start-up time, not coverage of the handshake.
 */
class ArteryTlsClusterTest {

  @TempDir Path dir;

  private final List<ActorSystem<?>> systems = new java.util.ArrayList<>();

  /** A message that crosses the cluster; the reply is a String. */
  record Ping(String text, ActorRef<String> replyTo) implements CborSerializable {}

  static Behavior<Ping> echo() {
    return Behaviors.receiveMessage(p -> {
      p.replyTo().tell("pong " + p.text());
      return Behaviors.same();
    });
  }

  @AfterEach
  void terminate() throws Exception {
    for (ActorSystem<?> s : systems) {
      s.terminate();
    }
    for (ActorSystem<?> s : systems) {
      s.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private ActorSystem<Void> start(Path overlay) throws Exception {
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """)
        .withFallback(ConfigFactory.parseFile(overlay.toFile()))
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "flock", config);
    systems.add(system);
    return system;
  }

  private static Path overlay(Path dir, String name, MemberFiles files, String trustPassword)
      throws Exception {
    Path file = dir.resolve(name + "-tls.conf");
    Files.writeString(file, io.flock.privacy.tls.FederationCertificates.arteryTlsOverlay(files, trustPassword));
    return file;
  }

  private static Set<Address> upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .map(Member::address)
        .collect(Collectors.toSet());
  }

  @Test
  void membersOfOneCaFormAClusterAndACertificateOfAnotherCaCannotJoin() throws Exception {
    FederationCertificates certs = new FederationCertificates(new SecureRandom());
    Path fed = dir.resolve("federation");
    Path rogue = dir.resolve("rogue");
    certs.ensureCa(fed, "flock");
    certs.ensureCa(rogue, "rogue");
    String trust = Files.readString(
        FederationCertificates.passwordFile(fed.resolve(FederationCertificates.TRUST_STORE))).trim();
    List<String> hosts = List.of("127.0.0.1", "localhost");
    MemberFiles seedFiles = certs.issueMember(fed, "seed", hosts);
    MemberFiles memberFiles = certs.issueMember(fed, "member-1", hosts);
    MemberFiles rogueFiles = certs.issueMember(rogue, "intruder", hosts);
    // The intruder trusts the federation's CA: it accepts the seed's certificate, and only the
    // seed's verification of the intruder's client certificate can refuse it.
    MemberFiles intruderFiles = new MemberFiles(
        rogueFiles.keyStore(), fed.resolve(FederationCertificates.TRUST_STORE), rogueFiles.password());

    ActorSystem<Void> seed = start(overlay(dir, "seed", seedFiles, trust));
    ActorSystem<Void> member = start(overlay(dir, "member-1", memberFiles, trust));
    assertEquals("tls-tcp", seed.settings().config().getString("pekko.remote.artery.transport"));
    assertTrue(seed.settings().config().getBoolean("pekko.remote.artery.ssl.config-ssl-engine.hostname-verification"));
    assertEquals("TLSv1.3", seed.settings().config().getString("pekko.remote.artery.ssl.config-ssl-engine.protocol"));

    Address seedAddress = Cluster.get(seed).selfMember().address();
    Address memberAddress = Cluster.get(member).selfMember().address();
    Cluster.get(seed).manager().tell(Join.create(seedAddress));
    Cluster.get(member).manager().tell(Join.create(seedAddress));
    // The testkit re-checks the membership until it holds (TLS handshakes are slow on a loaded
    // two-core machine); no sleep.
    TestProbe<String> waiter = TestProbe.create(seed);
    waiter.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
      assertEquals(Set.of(seedAddress, memberAddress), upMembers(seed));
      return null;
    });

    ActorRef<Ping> echo = member.systemActorOf(echo(), "echo", Props.empty());
    String echoPath = ActorRefResolver.get(member).toSerializationFormat(echo);
    TestProbe<String> replies = TestProbe.create(seed);
    ActorRefResolver.get(seed).<Ping>resolveActorRef(echoPath).tell(new Ping("from seed", replies.ref()));
    replies.expectMessage(Duration.ofSeconds(10), "pong from seed");

    ActorSystem<Void> intruder = start(overlay(dir, "intruder", intruderFiles, trust));
    Address intruderAddress = Cluster.get(intruder).selfMember().address();
    Cluster.get(intruder).manager().tell(Join.create(seedAddress));
    TestProbe<String> intruderReplies = TestProbe.create(intruder);
    ActorRefResolver.get(intruder).<Ping>resolveActorRef(echoPath)
        .tell(new Ping("from intruder", intruderReplies.ref()));
    // Bounded wait, far longer than the member needed to join: no reply to the intruder, and it
    // never shows up in the seed's membership.
    intruderReplies.expectNoMessage(Duration.ofSeconds(8));
    assertEquals(Set.of(seedAddress, memberAddress), upMembers(seed));
    assertTrue(StreamSupport.stream(Cluster.get(seed).state().getMembers().spliterator(), false)
        .noneMatch(m -> m.address().equals(intruderAddress)), "the intruder is not even joining");
    assertTrue(upMembers(intruder).isEmpty(), "the intruder sees no cluster: " + upMembers(intruder));
  }
}
