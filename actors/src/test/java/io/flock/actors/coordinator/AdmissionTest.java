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
  void answerIsAdmittedOnlyWithAValidSignatureOfTheChallengeByAnAllowedKeyForTheChallengedActor() {
    NodeIdentity allowed = identity(1);
    NodeIdentity stranger = identity(2);
    Admission admission = new Admission(Allowlist.of(List.of(allowed.fingerprint())), new SecureRandom());
    String refA = "pekko://flock@10.0.0.1:2552/user/nodes/node-1#1";

    byte[] c = admission.challenge("node-1", refA);
    assertNull(admission.verify("node-1", allowed.publicKey(), allowed.sign(Admission.message(c, "node-1", refA))));

    c = admission.challenge("node-1", refA);
    byte[] forOtherNode = allowed.sign(Admission.message(c, "node-2", refA));
    assertEquals("the signature does not verify under the node's public key for the challenged actor",
        admission.verify("node-1", allowed.publicKey(), forOtherNode));

    c = admission.challenge("node-1", refA);
    String notListed = admission.verify("node-1", stranger.publicKey(),
        stranger.sign(Admission.message(c, "node-1", refA)));
    assertTrue(notListed.endsWith("is not on the federation's allowlist"), notListed);

    byte[] old = admission.challenge("node-1", refA);
    byte[] replay = allowed.sign(Admission.message(old, "node-1", refA));
    assertNull(admission.verify("node-1", allowed.publicKey(), replay)); // answered: used up
    admission.challenge("node-1", refA); // a fresh challenge: the answer to the old one is worthless
    assertEquals("the signature does not verify under the node's public key for the challenged actor",
        admission.verify("node-1", allowed.publicKey(), replay));
    assertEquals("no challenge is pending for node-1", admission.verify("node-1", allowed.publicKey(), replay));
  }

  @Test
  void impostorRelayingItsChallengeToTheRealNodeIsRefused() {
    NodeIdentity real = identity(1);
    Admission admission = new Admission(Allowlist.of(List.of(real.fingerprint())), new SecureRandom());
    String impostor = "pekko://flock@10.0.0.9:2552/user/nodes/node-3#7";
    String genuine = "pekko://flock@10.0.0.3:2552/user/nodes/node-3#5";
    byte[] c = admission.challenge("node-3", impostor);
    // The impostor forwards c to the genuine node, which signs for the actor it is.
    byte[] relayed = real.sign(Admission.message(c, "node-3", genuine));
    assertEquals("the signature does not verify under the node's public key for the challenged actor",
        admission.verify("node-3", real.publicKey(), relayed));
  }

  @Test
  void keyBoundToANodeIdAdmitsThatNodeOnly() {
    NodeIdentity key = identity(4);
    Admission admission = new Admission(Allowlist.of(List.of(key.fingerprint() + " node-0004")), new SecureRandom());
    String ref = "pekko://flock/user/node-0009#1";
    byte[] c = admission.challenge("node-0009", ref);
    assertEquals("key " + key.fingerprint() + " belongs to node-0004, not node-0009",
        admission.verify("node-0009", key.publicKey(), key.sign(Admission.message(c, "node-0009", ref))));
  }

  @Test
  void coordinatorSamplesOnlyNodesThatProveAnAllowedKey() {
    NodeIdentity a = identity(1);
    NodeIdentity b = identity(2);
    Fixtures.spawnNode(testKit, "node-a", 4, new float[] {1f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, a);
    Fixtures.spawnNode(testKit, "node-b", 4, new float[] {1f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, b);
    Fixtures.spawnNode(testKit, "node-stranger", 4, new float[] {1f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, identity(3));
    Fixtures.spawnNode(testKit, "node-anonymous", 4, new float[] {1f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, null);
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

  @Test
  void securelyAggregatedRoundsVerifyTheNodesSignaturesWithTheKeysAdmissionVerified() {
    List<NodeIdentity> keys = List.of(identity(1), identity(2), identity(3));
    for (int i = 0; i < 3; i++) {
      Fixtures.spawnNode(testKit, "node-s" + i, 4, new float[] {0.5f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, keys.get(i));
    }
    // The run's own keys for these ids are wrong (as seed-derived simulation keys would be for
    // real members): a round that used them would refuse every node's signed keys.
    java.util.Map<String, byte[]> wrong = new java.util.TreeMap<>();
    for (int i = 0; i < 3; i++) {
      wrong.put("node-s" + i, identity(9 + i).publicKey());
    }
    RoundSettings secure = new RoundSettings(1.0, 3, 0.0, NEVER, TRAIN)
        .withSecureAggregation(new io.flock.actors.round.SecureAggregation(0, 0, 1.0, NEVER, wrong));
    CoordinatorSettings settings = new CoordinatorSettings(1, 3, NEVER, secure, 42, 0, 0, 1)
        .withAllowlist(Allowlist.of(keys.stream().map(NodeIdentity::fingerprint).toList()));
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    testKit.spawn(Coordinator.create(settings, weights(1f, 2f, 3f, 4f), null, listener.ref()));

    RoundReport report = listener.expectMessageClass(RoundReport.class, Duration.ofSeconds(30));
    assertTrue(report.completed(), String.valueOf(report.failureReason()));
    assertEquals(3, report.nodesParticipating());
    assertEquals(List.of(), report.dropouts());
  }

  @Test
  void unansweredChallengeIsSentAgainAndALateAnswerToTheFirstAskingStillAdmits() {
    ActorTestKit kit = ActorTestKit.create("AdmissionRetry", Fixtures.manualTimeConfig());
    try {
      var time = org.apache.pekko.actor.testkit.typed.javadsl.ManualTime.get(kit.system());
      TestProbe<TrainingNode.Command> node = kit.createTestProbe("node-silent");
      TestProbe<org.apache.pekko.actor.typed.receptionist.Receptionist.Registered> registered = kit.createTestProbe();
      kit.system().receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(
          TrainingNode.SERVICE_KEY, node.ref(), registered.ref()));
      registered.receiveMessage();
      CoordinatorSettings settings = new CoordinatorSettings(1, 1, NEVER,
          new RoundSettings(1.0, 1, 0.0, NEVER, TRAIN), 42, 0, 0, 1)
          .withAllowlist(Allowlist.of(List.of(identity(1).fingerprint())));
      kit.spawn(Coordinator.create(settings, weights(1f, 2f, 3f, 4f), null, kit.<Coordinator.Event>createTestProbe().ref()));

      TrainingNode.Identify first = node.expectMessageClass(TrainingNode.Identify.class);
      time.timePasses(Duration.ofSeconds(10)); // no answer yet (lost, or a slow node)
      TrainingNode.Identify second = node.expectMessageClass(TrainingNode.Identify.class);
      assertTrue(java.util.Arrays.equals(first.challenge(), second.challenge()), "the same, open challenge");
      // The answer to the first asking arrives after the retry: it counts, and the node trains.
      NodeIdentity key = identity(1);
      String self = org.apache.pekko.actor.typed.ActorRefResolver.get(kit.system()).toSerializationFormat(node.ref());
      String id = node.ref().path().name();
      first.replyTo().tell(new TrainingNode.Identified(id, key.publicKey(),
          key.sign(Admission.message(first.challenge(), id, self))));
      node.expectMessageClass(TrainingNode.TrainRequest.class);
    } finally {
      kit.shutdownTestKit();
    }
  }

}
