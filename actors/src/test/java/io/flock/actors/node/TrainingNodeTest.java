package io.flock.actors.node;

import static io.flock.actors.testing.Fixtures.LAYOUT;
import static io.flock.actors.testing.Fixtures.OTHER_LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeData;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.round.RoundManager;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.data.NodeData;
import io.flock.models.data.Seeds;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.dp.L2Clipping;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A training node between a round (a probe) and a worker (a real one with a {@link FakeEngine}, or
 * a probe where only the hand-off matters): validation, the update it sends, and its refusals.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one ActorTestKit for the class, shut down after
class TrainingNodeTest {

  @JUnit5TestKit
  final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(Fixtures.testConfig()).build();

  private static final Duration MIN_BACKOFF = Duration.ofMillis(5);
  private static final Duration MAX_BACKOFF = Duration.ofMillis(50);

  private static final ModelWeights GLOBAL = weights(1f, 2f, 3f, 4f);
  private static final NodeData DATA = nodeData(5);
  private static final long NODE_SEED = 7;
  private static final long ROUND_SEED = 99;

  @Test
  void nodeRepliesWithItsUpdateAsTheDeltaToTheGlobalModel() {
    float[] delta = {0.5f, -0.25f, 0f, 1f};
    ActorRef<TrainingNode.Command> node =
        nodeWithWorker("node-ok", new FakeEngine.Factory(delta, 0.75, FakeEngine.Hook.NONE));
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();

    node.tell(new TrainingNode.TrainRequest(1, GLOBAL, TRAIN, ROUND_SEED, round.ref()));

    RoundManager.TrainCompleted done = round.expectMessageClass(RoundManager.TrainCompleted.class);
    assertEquals(1, done.round());
    assertEquals("node-ok", done.nodeId());
    assertEquals(weights(delta), done.update(), "(global + delta) - global");
    assertEquals(5, done.numSamples());
    assertEquals(0.75, done.trainLoss());
    assertEquals(1, done.steps());
  }

  @Test
  void nodeClipsItsUpdateToTheClipNorm() {
    // ||(0, 3, 0, 4)|| = 5; clipped to norm 1: (0, 0.6, 0, 0.8) (McMahan et al. 2018, Alg. 1)
    ActorRef<TrainingNode.Command> node =
        nodeWithWorker(
            "node-clipping",
            new FakeEngine.Factory(new float[] {0f, 3f, 0f, 4f}, 0.5, FakeEngine.Hook.NONE));
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();
    TrainConfig clipped = new TrainConfig(1, 8, 0.5, 1.0, 0, 0, 0);

    node.tell(new TrainingNode.TrainRequest(1, GLOBAL, clipped, ROUND_SEED, round.ref()));

    float[] update = round.expectMessageClass(RoundManager.TrainCompleted.class).update().toArray();
    assertArrayEquals(new float[] {0f, 0.6f, 0f, 0.8f}, update, 1e-6f);
    assertEquals(1.0, L2Clipping.l2Norm(update), 1e-6);
  }

  @Test
  void nodeReportsTrainingFailedWhenItsWorkerFails() {
    ActorRef<TrainingNode.Command> node =
        nodeWithWorker(
            "node-failing",
            new FakeEngine.Factory(
                new float[4],
                0.5,
                seed -> {
                  throw new IllegalStateException("CUDA out of memory");
                }));
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();

    node.tell(new TrainingNode.TrainRequest(1, GLOBAL, TRAIN, ROUND_SEED, round.ref()));

    assertEquals(
        new RoundManager.TrainDeclined(
            1,
            "node-failing",
            DropoutReason.TRAINING_FAILED,
            "IllegalStateException: CUDA out of memory"),
        round.receiveMessage());
  }

  @Test
  void nodeHandsTheTaskToItsWorkerWithASeedMixedFromItsOwnAndTheRounds() {
    TestProbe<TrainingWorker.Command> worker = testKit.createTestProbe();
    ActorRef<TrainingNode.Command> node = nodeWithWorkerProbe("node-handoff", worker);
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();

    node.tell(new TrainingNode.TrainRequest(4, GLOBAL, TRAIN, ROUND_SEED, round.ref()));

    TrainingWorker.Train task = worker.expectMessageClass(TrainingWorker.Train.class);
    assertEquals("node-handoff/round-4/1", task.taskId());
    assertEquals(GLOBAL, task.global());
    assertEquals(TRAIN, task.config());
    assertSame(DATA, task.data(), "local data is handed over by reference, never copied");
    assertEquals(Seeds.derive(NODE_SEED, ROUND_SEED), task.seed());
  }

  @Test
  void nodeDeclinesAGlobalModelOfAnotherLayout() {
    TestProbe<TrainingWorker.Command> worker = testKit.createTestProbe();
    ActorRef<TrainingNode.Command> node = nodeWithWorkerProbe("node-layout", worker);
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();
    ModelWeights otherModel = ModelWeights.zeros(OTHER_LAYOUT);

    node.tell(new TrainingNode.TrainRequest(1, otherModel, TRAIN, ROUND_SEED, round.ref()));

    assertEquals(
        new RoundManager.TrainDeclined(
            1,
            "node-layout",
            DropoutReason.DECLINED,
            "global model does not fit this node: expected 4 params in 2 tensors,"
                + " got 4 params in 1 tensors"),
        round.receiveMessage());
  }

  @Test
  void nodeDeclinesARoundItAlreadyTrainedOrAnOlderOne() {
    TestProbe<TrainingWorker.Command> worker = testKit.createTestProbe();
    ActorRef<TrainingNode.Command> node = nodeWithWorkerProbe("node-stale", worker);
    TestProbe<RoundManager.TrainReply> round = testKit.createTestProbe();

    node.tell(new TrainingNode.TrainRequest(5, GLOBAL, TRAIN, ROUND_SEED, round.ref()));
    worker.expectMessageClass(TrainingWorker.Train.class);
    node.tell(new TrainingNode.TrainRequest(5, GLOBAL, TRAIN, ROUND_SEED, round.ref()));
    node.tell(new TrainingNode.TrainRequest(4, GLOBAL, TRAIN, ROUND_SEED, round.ref()));

    assertEquals(
        new RoundManager.TrainDeclined(
            5,
            "node-stale",
            DropoutReason.DECLINED,
            "stale round 5: this node already trained round 5"),
        round.receiveMessage());
    assertEquals(
        new RoundManager.TrainDeclined(
            4,
            "node-stale",
            DropoutReason.DECLINED,
            "stale round 4: this node already trained round 5"),
        round.receiveMessage());
  }

  @Test
  void nodeTrainsTheSameRoundAgainForANewCoordinatorAfterAFailover() {
    TestProbe<TrainingWorker.Command> worker = testKit.createTestProbe();
    ActorRef<TrainingNode.Command> node = nodeWithWorkerProbe("node-failover", worker);
    TestProbe<RoundManager.TrainReply> deadCoordinatorsRound = testKit.createTestProbe();
    TestProbe<RoundManager.TrainReply> standbysRound = testKit.createTestProbe();

    node.tell(new TrainingNode.TrainRequest(7, GLOBAL, TRAIN, ROUND_SEED, deadCoordinatorsRound.ref()));
    worker.expectMessageClass(TrainingWorker.Train.class);
    // Round 7 never completed; the coordinator that took over runs it again from its checkpoint.
    node.tell(new TrainingNode.TrainRequest(7, GLOBAL, TRAIN, ROUND_SEED, standbysRound.ref()));
    worker.expectMessageClass(TrainingWorker.Train.class);
    standbysRound.expectNoMessage(java.time.Duration.ofMillis(50));
  }

  private ActorRef<TrainingNode.Command> nodeWithWorker(String nodeId, FakeEngine.Factory engines) {
    ActorRef<TrainingWorker.Command> worker =
        testKit.spawn(TrainingWorker.supervised(engines, MIN_BACKOFF, MAX_BACKOFF));
    return testKit.spawn(TrainingNode.create(TrainingNode.Setup.of(nodeId, DATA, LAYOUT, NODE_SEED), worker), nodeId);
  }

  private ActorRef<TrainingNode.Command> nodeWithWorkerProbe(
      String nodeId, TestProbe<TrainingWorker.Command> worker) {
    return testKit.spawn(
        TrainingNode.create(TrainingNode.Setup.of(nodeId, DATA, LAYOUT, NODE_SEED), worker.ref()), nodeId);
  }
}
