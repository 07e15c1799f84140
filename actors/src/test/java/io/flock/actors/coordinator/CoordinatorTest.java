package io.flock.actors.coordinator;

import static io.flock.actors.testing.Fixtures.LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeData;
import static io.flock.actors.testing.Fixtures.nodeId;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.round.RoundManager;
import io.flock.actors.round.RoundSettings;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The coordinator's round loop, with probe nodes (for failed rounds) and with real training nodes
 * and workers on a {@link FakeEngine} (end to end, no DJL).
 *
 * <p>Each test gets its own ActorTestKit rather than one per class ({@code
 * TestKitJUnit5Extension}): nodes find the coordinator through the system's receptionist, and a
 * node registered by one test must never be sampled by another's rounds.
 */
@ExtendWith(LogCapturingExtension.class)
class CoordinatorTest {

  private ActorTestKit testKit;

  @BeforeEach
  void startSystem() {
    testKit = ActorTestKit.create("CoordinatorTest", Fixtures.testConfig());
  }

  @AfterEach
  void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** Long enough never to fire: these tests wait for messages, not for time. */
  private static final Duration NEVER = Duration.ofMinutes(1);

  private static final ModelWeights INITIAL = weights(1f, 2f, 3f, 4f);

  private static CoordinatorSettings settings(
      int rounds, int awaitNodes, int minNodes, int maxFailures) {
    return new CoordinatorSettings(
        rounds,
        awaitNodes,
        NEVER,
        new RoundSettings(1.0, minNodes, 0.0, NEVER, TRAIN),
        42,
        0,
        0,
        maxFailures);
  }

  @Test
  void globalModelIsUnchangedAfterARoundThatMissesQuorum() {
    TestProbe<TrainingNode.Command> valid = registeredProbeNode("valid");
    TestProbe<TrainingNode.Command> declining = registeredProbeNode("declining");
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    ActorRef<Coordinator.Command> coordinator =
        testKit.spawn(Coordinator.create(settings(3, 2, 2, 1), INITIAL, null, listener.ref()));

    TrainingNode.TrainRequest toValid = valid.expectMessageClass(TrainingNode.TrainRequest.class);
    assertEquals(1, toValid.round());
    assertEquals(INITIAL, toValid.global());
    toValid
        .replyTo()
        .tell(
            new RoundManager.TrainCompleted(1, nodeId(valid), weights(1f, 1f, 1f, 1f), 10, 0.5, 1));
    declining
        .expectMessageClass(TrainingNode.TrainRequest.class)
        .replyTo()
        .tell(new RoundManager.TrainDeclined(1, nodeId(declining), DropoutReason.DECLINED, "busy"));

    RoundReport report = listener.expectMessageClass(RoundReport.class);
    assertEquals(1, report.round());
    assertFalse(report.completed());
    assertEquals(0, report.completedRounds());
    assertEquals(
        "1 of 2 sampled nodes returned a valid update, the quorum is 2", report.failureReason());
    assertEquals(
        List.of(new Dropout(nodeId(declining), DropoutReason.DECLINED, "busy")), report.dropouts());

    TrainingFinished finished = listener.expectMessageClass(TrainingFinished.class);
    assertTrue(finished.aborted());
    assertEquals("aborted: 1 round(s) in a row failed to reach quorum", finished.reason());
    assertEquals(1, finished.roundsRun());
    assertEquals(0, finished.completedRounds());
    assertEquals(INITIAL, finished.finalModel(), "the valid update of a failed round is dropped");

    assertEquals(new Coordinator.GlobalModel(0, INITIAL), globalModel(coordinator));
  }

  @Test
  void roundsFailAndTheModelStaysWhenFewerNodesThanMinNodesAreRegistered() {
    registeredProbeNode("lonely");
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    ActorRef<Coordinator.Command> coordinator =
        testKit.spawn(Coordinator.create(settings(5, 1, 2, 2), INITIAL, null, listener.ref()));

    for (int round = 1; round <= 2; round++) {
      RoundReport report = listener.expectMessageClass(RoundReport.class);
      assertEquals(round, report.round());
      assertFalse(report.completed());
      assertEquals("only 1 node(s) available, the quorum needs at least 2", report.failureReason());
      assertEquals(1, report.nodesAvailable());
      assertEquals(0, report.nodesSampled(), "nobody is asked to train for a doomed round");
      assertEquals(0, report.nodesParticipating());
    }
    TrainingFinished finished = listener.expectMessageClass(TrainingFinished.class);
    assertEquals("aborted: 2 round(s) in a row failed to reach quorum", finished.reason());
    assertEquals(INITIAL, finished.finalModel());
    assertEquals(new Coordinator.GlobalModel(0, INITIAL), globalModel(coordinator));
  }

  /**
   * Three real nodes, each with its own worker and fake engine. Per round, by hand:
   *
   * <pre>
   *   node-1: 1 sample,  delta (4, 0, 0,  0)
   *   node-2: 1 sample,  delta (0, 4, 0,  0)
   *   node-3: 2 samples, delta (0, 0, 2, -2)
   *   mean = ((4, 0, 0, 0) + (0, 4, 0, 0) + 2 * (0, 0, 2, -2)) / 4 = (1, 1, 1, -1)
   * </pre>
   *
   * so the global moves by (1, 1, 1, -1) each round: (1, 2, 3, 4) -> (4, 5, 6, 1) after three.
   */
  @Test
  void coordinatorRunsEveryRoundWithRealNodesAndReportsEachOne() {
    Fixtures.spawnNode(testKit, "node-1", 1, new float[] {4f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-2", 1, new float[] {0f, 4f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-3", 2, new float[] {0f, 0f, 2f, -2f}, FakeEngine.Hook.NONE, null);
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    ActorRef<Coordinator.Command> coordinator =
        testKit.spawn(Coordinator.create(settings(3, 3, 2, 1), INITIAL, null, listener.ref()));

    for (int round = 1; round <= 3; round++) {
      RoundReport report = listener.expectMessageClass(RoundReport.class);
      assertEquals(round, report.round());
      assertEquals(3, report.totalRounds());
      assertEquals(round, report.completedRounds());
      assertTrue(report.completed());
      assertNull(report.failureReason());
      assertEquals(3, report.nodesAvailable());
      assertEquals(3, report.nodesSampled());
      assertEquals(3, report.nodesParticipating());
      assertEquals(4, report.samplesProcessed(), "(1 + 1 + 2) samples x 1 epoch");
      assertEquals(0.5, report.trainLoss());
      assertEquals(0.5, report.currentLoss(), "no evaluator: the participants' training loss");
      assertEquals(List.of(), report.dropouts());
    }
    ModelWeights expected = weights(4f, 5f, 6f, 1f);
    TrainingFinished finished = listener.expectMessageClass(TrainingFinished.class);
    assertEquals("all 3 rounds done", finished.reason());
    assertFalse(finished.aborted());
    assertEquals(3, finished.roundsRun());
    assertEquals(3, finished.completedRounds());
    assertEquals(expected, finished.finalModel());
    assertEquals(new Coordinator.GlobalModel(3, expected), globalModel(coordinator));
  }

  @Test
  void coordinatorKeepsTrainingWhenOneRealNodeFailsEveryRound() {
    Fixtures.spawnNode(testKit, "node-1", 1, new float[] {4f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-2", 1, new float[] {0f, 4f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-3", 2, new float[] {0f, 0f, 2f, -2f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-broken", 100, new float[] {1000f, 1000f, 1000f, 1000f},
        seed -> {
          throw new IllegalStateException("GPU lost");
        }, null);
    TestProbe<Coordinator.Event> listener = testKit.createTestProbe();
    testKit.spawn(Coordinator.create(settings(2, 4, 3, 1), INITIAL, null, listener.ref()));

    for (int round = 1; round <= 2; round++) {
      RoundReport report = listener.expectMessageClass(RoundReport.class);
      assertEquals(round, report.completedRounds());
      assertEquals(4, report.nodesSampled());
      assertEquals(3, report.nodesParticipating());
      assertEquals(
          List.of(
              new Dropout(
                  "node-broken", DropoutReason.TRAINING_FAILED, "IllegalStateException: GPU lost")),
          report.dropouts());
    }
    TrainingFinished finished = listener.expectMessageClass(TrainingFinished.class);
    assertEquals("all 2 rounds done", finished.reason());
    assertEquals(
        weights(3f, 4f, 5f, 2f), finished.finalModel(), "(1, 2, 3, 4) + 2 x (1, 1, 1, -1)");
  }

  /** A probe standing in for a training node, registered like one before the test goes on. */
  private TestProbe<TrainingNode.Command> registeredProbeNode(String name) {
    TestProbe<TrainingNode.Command> node = testKit.createTestProbe(name);
    TestProbe<Receptionist.Registered> registered = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(TrainingNode.SERVICE_KEY, node.ref(), registered.ref()));
    registered.expectMessageClass(Receptionist.Registered.class);
    return node;
  }


  private Coordinator.GlobalModel globalModel(ActorRef<Coordinator.Command> coordinator) {
    TestProbe<Coordinator.GlobalModel> reply = testKit.createTestProbe();
    coordinator.tell(new Coordinator.GetGlobalModel(reply.ref()));
    return reply.receiveMessage();
  }
}
