package io.flock.actors.coordinator;

import static io.flock.actors.testing.Fixtures.LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeData;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.round.RoundSettings;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.worker.TrainingWorker;
import io.flock.privacy.identity.Allowlist;
import io.flock.privacy.identity.NodeIdentity;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Signed registration: only nodes proving a key on the allowlist are sampled. */
@ExtendWith(LogCapturingExtension.class)
class AdmissionTest {

  private static final Duration NEVER = Duration.ofMinutes(1);
  private ActorTestKit testKit;

  @BeforeEach
  void startSystem() {
    testKit = ActorTestKit.create("AdmissionTest", Fixtures.testConfig());
  }

  @AfterEach
  void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static NodeIdentity identity(int seed) {
    byte[] s = new byte[32];
    s[0] = (byte) seed;
    return NodeIdentity.fromSeed(s);
  }

  @Test
  void answerIsAdmittedOnlyWithAValidSignatureOfTheChallengeByAnAllowedKeyForTheChallengedNode() {
    NodeIdentity allowed = identity(1);
    NodeIdentity stranger = identity(2);
    Admission admission = new Admission(Allowlist.of(List.of(allowed.fingerprint())), new SecureRandom());

    byte[] c = admission.challenge("node-1");
    assertNull(admission.verify("node-1", allowed.publicKey(), allowed.sign(Admission.message(c, "node-1"))));

    c = admission.challenge("node-1");
    byte[] forOtherNode = allowed.sign(Admission.message(c, "node-2"));
    assertEquals("the signature does not verify under the node's public key",
        admission.verify("node-1", allowed.publicKey(), forOtherNode));

    c = admission.challenge("node-1");
    String notListed = admission.verify("node-1", stranger.publicKey(), stranger.sign(Admission.message(c, "node-1")));
    assertTrue(notListed.endsWith("is not on the federation's allowlist"), notListed);

    byte[] old = admission.challenge("node-1");
    byte[] replay = allowed.sign(Admission.message(old, "node-1"));
    admission.challenge("node-1"); // a fresh challenge: the answer to the old one is worthless
    assertEquals("the signature does not verify under the node's public key",
        admission.verify("node-1", allowed.publicKey(), replay));
    assertEquals("no challenge is pending for node-1", admission.verify("node-1", allowed.publicKey(), replay));
  }

  @Test
  void coordinatorSamplesOnlyNodesThatProveAnAllowedKey() {
    NodeIdentity a = identity(1);
    NodeIdentity b = identity(2);
    spawnNode("node-a", a);
    spawnNode("node-b", b);
    spawnNode("node-stranger", identity(3));
    spawnNode("node-anonymous", null);
    CoordinatorSettings settings = new CoordinatorSettings(2, 2, NEVER,
        new RoundSettings(1.0, 2, 0.0, NEVER, TRAIN), 42, 0, 0, 1)
        .withAllowlist(Allowlist.of(List.of(a.fingerprint(), b.fingerprint())));
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    testKit.spawn(Coordinator.create(settings, weights(1f, 2f, 3f, 4f), null, listener.ref()));

    for (int round = 1; round <= 2; round++) {
      RoundReport report = listener.expectMessageClass(RoundReport.class);
      assertTrue(report.completed(), String.valueOf(report.failureReason()));
      assertEquals(2, report.nodesAvailable(), "four nodes listed, two admitted");
      assertEquals(2, report.nodesParticipating());
    }
  }

  private void spawnNode(String nodeId, NodeIdentity key) {
    ActorRef<TrainingWorker.Command> worker = testKit.spawn(TrainingWorker.supervised(
        new FakeEngine.Factory(new float[] {1f, 0f, 0f, 0f}, 0.5, FakeEngine.Hook.NONE), Duration.ofMillis(5),
        Duration.ofMillis(50)), nodeId + "-worker");
    TrainingNode.Setup setup = TrainingNode.Setup.of(nodeId, nodeData(4), LAYOUT, nodeId.hashCode());
    testKit.spawn(TrainingNode.create(key == null ? setup : setup.withIdentity(key), worker), nodeId);
  }
}
