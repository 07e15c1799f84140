package io.flock.actors.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.transfer.BytesPayload;
import io.flock.actors.transfer.SideChannel;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a cluster a standby writes a checkpoint replica only when it comes from the JVM that may
 * host the coordinator now (the oldest member with the coordinator role): another member cannot
 * plant a checkpoint for a failover to resume from; the coordinator's replicas cross over the side
 * channel. Two cluster members in this JVM over Artery.
 */
class CheckpointReplicaTrustTest {

  @TempDir Path dir;
  private ActorTestKit oldest;
  private ActorTestKit younger;

  private static Config clusterConfig() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.roles = [coordinator]
        pekko.cluster.singleton.role = coordinator
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(Fixtures.testConfig());
  }

  @AfterEach
  void stop() {
    if (younger != null) {
      younger.shutdownTestKit();
    }
    if (oldest != null) {
      oldest.shutdownTestKit();
    }
  }

  /** Starts {@link #oldest} and then {@link #younger}, both up; returns the oldest's address. */
  private Address startTwoMembers() {
    oldest = ActorTestKit.create("flock", clusterConfig());
    younger = ActorTestKit.create("flock", clusterConfig());
    Address seedAddress = Cluster.get(oldest.system()).selfMember().address();
    Cluster.get(oldest.system()).manager().tell(Join.create(seedAddress));
    TestProbe<Object> waiter = oldest.createTestProbe();
    waiter.awaitAssert(Duration.ofSeconds(30), () -> {
      assertEquals(MemberStatus.up(), Cluster.get(oldest.system()).selfMember().status());
      return null;
    });
    Cluster.get(younger.system()).manager().tell(Join.create(seedAddress));
    waiter.awaitAssert(Duration.ofSeconds(30), () -> {
      assertEquals(MemberStatus.up(), Cluster.get(younger.system()).selfMember().status());
      return null;
    });
    return seedAddress;
  }

  @Test
  void replicaFromAMemberThatIsNotTheCoordinatorsJvmIsRefusedAndNotWritten() {
    Address seedAddress = startTwoMembers();

    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("oldest"));
    ActorRef<CheckpointStore.Command> store =
        oldest.spawn(CheckpointStore.create(standbyFiles, Duration.ofSeconds(5)), "checkpoint-store");
    ActorRef<CheckpointStore.Command> storeSeenFromYounger = ActorRefResolver.get(younger.system())
        .resolveActorRef(ActorRefResolver.get(oldest.system()).toSerializationFormat(store));

    Checkpoint planted =
        CheckpointTest.checkpoint(99, ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3)))));
    TestProbe<CheckpointStore.Replicated> acks = younger.createTestProbe();
    storeSeenFromYounger.tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Inline(CheckpointFiles.encode(planted)), acks.ref().narrow()));

    CheckpointStore.Replicated ack = acks.receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standbyFiles.exists(), "nothing was written");
  }

  /**
   * The coordinator's JVM replicates a checkpoint bigger than the inline limit to the younger
   * member's store over its side channel: the younger store receives a single-use socket claim
   * (not bytes through Artery), fetches it, and writes the same file.
   */
  @Test
  void replicaFromTheCoordinatorsJvmCrossesOverTheSideChannelAndIsWritten() throws IOException {
    startTwoMembers();
    assertTrue(SideChannel.get(oldest.system()).start(), "as `flock seed` / `flock member` do");
    CheckpointFiles coordinatorFiles = new CheckpointFiles(dir.resolve("oldest"));
    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("younger"));
    ActorRef<CheckpointStore.Command> store =
        oldest.spawn(CheckpointStore.create(coordinatorFiles, Duration.ofSeconds(20)), "checkpoint-store");
    TestProbe<BytesPayload> arriving = younger.createTestProbe();
    younger.spawn(Behaviors.intercept(() -> new BehaviorInterceptor<>(CheckpointStore.Command.class) {
      @Override
      public Behavior<CheckpointStore.Command> aroundReceive(TypedActorContext<CheckpointStore.Command> ctx,
          CheckpointStore.Command msg, ReceiveTarget<CheckpointStore.Command> target) {
        if (msg instanceof CheckpointStore.Replicate r) {
          arriving.ref().tell(r.file());
        }
        return target.apply(ctx, msg);
      }
    }, CheckpointStore.create(standbyFiles, Duration.ofSeconds(20))), "checkpoint-store");

    ModelWeights big = CheckpointTest.bigWeights();
    TestProbe<CheckpointStore.Saved> saved = oldest.createTestProbe();
    CheckpointStore.Saved result;
    int round = 0;
    do { // until the stores found each other through the receptionist
      round++;
      store.tell(new CheckpointStore.Save(CheckpointTest.checkpoint(round, big), saved.ref()));
      result = saved.receiveMessage(Duration.ofSeconds(30));
      assertNull(result.error());
    } while (result.replicas() == 0);

    BytesPayload.Socket claim = assertInstanceOf(BytesPayload.Socket.class, arriving.receiveMessage());
    assertEquals("127.0.0.1", claim.host());
    assertEquals(Files.size(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)), claim.size());
    assertEquals(round, standbyFiles.readLatest().round());
    assertArrayEquals(Files.readAllBytes(dir.resolve("oldest").resolve(CheckpointFiles.LATEST)),
        Files.readAllBytes(dir.resolve("younger").resolve(CheckpointFiles.LATEST)), "the replica is the same file");
  }

}
