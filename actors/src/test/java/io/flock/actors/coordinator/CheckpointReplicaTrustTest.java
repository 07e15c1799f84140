package io.flock.actors.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.transfer.BytesPayload;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a cluster a standby writes a checkpoint replica only when it comes from the JVM that may
 * host the coordinator now (the oldest member with the coordinator role): another member cannot
 * plant a checkpoint for a failover to resume from. Two cluster members in this JVM over Artery.
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

  @Test
  void replicaFromAMemberThatIsNotTheCoordinatorsJvmIsRefusedAndNotWritten() {
    oldest = ActorTestKit.create("flock", clusterConfig());
    younger = ActorTestKit.create("flock", clusterConfig());
    var seedAddress = Cluster.get(oldest.system()).selfMember().address();
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

    CheckpointFiles standbyFiles = new CheckpointFiles(dir.resolve("oldest"));
    ActorRef<CheckpointStore.Command> store =
        oldest.spawn(CheckpointStore.create(standbyFiles, Duration.ofSeconds(5)), "checkpoint-store");
    ActorRef<CheckpointStore.Command> storeSeenFromYounger = ActorRefResolver.get(younger.system())
        .resolveActorRef(ActorRefResolver.get(oldest.system()).toSerializationFormat(store));

    ModelWeights w = ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3))));
    Checkpoint planted = new Checkpoint(List.of("--rounds", "1000"), 99, 99, 0, 0.1, 0.9, w,
        Strategies.create("fedavg", StrategyOptions.defaults()).newServerOptimizer().snapshot(), null, null,
        List.of(), null, null);
    TestProbe<CheckpointStore.Replicated> acks = younger.createTestProbe();
    storeSeenFromYounger.tell(new CheckpointStore.Replicate(99,
        new BytesPayload.Inline(CheckpointFiles.encode(planted)), acks.ref().narrow()));

    CheckpointStore.Replicated ack = acks.receiveMessage(Duration.ofSeconds(10));
    assertTrue(ack.error() != null && ack.error().contains("the coordinator's JVM is " + seedAddress), ack.error());
    assertFalse(standbyFiles.exists(), "nothing was written");
  }
}
