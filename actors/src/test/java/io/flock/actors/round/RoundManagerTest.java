package io.flock.actors.round;

import static io.flock.actors.testing.Fixtures.OTHER_LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeId;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.testing.Started;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One round against {@link TestProbe}s standing in for training nodes: a probe answers, crashes
 * ({@code stop()}), sends a bad update, or stays silent. Time is virtual ({@link ManualTime}): the
 * deadline fires only when a test lets it, so every other test is free of timing.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one ActorTestKit for the class, shut down after
class RoundManagerTest {

  @JUnit5TestKit
  final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(Fixtures.manualTimeConfig()).build();

  private final ManualTime manualTime = ManualTime.get(testKit.system());

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Global model of every round here. */
  private static final ModelWeights GLOBAL = weights(1f, 2f, 3f, 4f);

  /** Update of a node with 1 sample. */
  private static final ModelWeights DELTA_A = weights(1f, 0f, 0f, 4f);

  /** Update of a node with 3 samples. */
  private static final ModelWeights DELTA_B = weights(-1f, 4f, 8f, 0f);

  /**
   * GLOBAL + (1 * DELTA_A + 3 * DELTA_B) / (1 + 3), by hand (McMahan et al. 2017, Algorithm 1,
   * applied to deltas):
   *
   * <pre>
   *   1 * A      = [ 1,  0,  0, 4]
   *   3 * B      = [-3, 12, 24, 0]
   *   sum / 4    = [-0.5, 3, 6, 1]
   *   + GLOBAL   = [ 0.5, 5, 9, 5]
   * </pre>
   */
  private static final ModelWeights GLOBAL_AFTER_A_AND_B = weights(0.5f, 5f, 9f, 5f);

  private static RoundSettings settings(int minNodes) {
    return new RoundSettings(1.0, minNodes, 0.0, DEADLINE, TRAIN);
  }

  @Test
  void roundCompletesWithTheSampleWeightedMeanWhenAllNodesAnswer() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(
        RoundManager.create(3, GLOBAL, settings(2), 42, List.of(a.ref(), b.ref()), outcome.ref()));

    TrainingNode.TrainRequest toA = a.expectMessageClass(TrainingNode.TrainRequest.class);
    TrainingNode.TrainRequest toB = b.expectMessageClass(TrainingNode.TrainRequest.class);
    assertEquals(3, toA.round());
    assertEquals(GLOBAL, toA.global());
    assertEquals(TRAIN, toA.config());
    assertEquals(toA.roundSeed(), toB.roundSeed(), "one seed per round, mixed by each node");
    answer(a, toA, DELTA_A, 1, 2.0);
    answer(b, toB, DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done =
        outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(3, done.round());
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0));
    RoundStats stats = done.stats();
    assertEquals(2, stats.available());
    assertEquals(2, stats.sampled());
    assertEquals(2, stats.participants());
    assertEquals(4, stats.samplesProcessed(), "(1 + 3) samples x 1 local epoch");
    assertEquals((1 * 2.0 + 3 * 1.0) / 4, stats.meanTrainLoss(), 1e-12);
    assertEquals(List.of(), stats.dropouts());
  }

  @Test
  void roundCompletesWhenOneNodeCrashesAfterItGotTheRequest() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<TrainingNode.Command> crashing = testKit.createTestProbe("crashing");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(
        RoundManager.create(
            1, GLOBAL, settings(2), 42, List.of(a.ref(), b.ref(), crashing.ref()), outcome.ref()));

    TrainingNode.TrainRequest toA = a.expectMessageClass(TrainingNode.TrainRequest.class);
    TrainingNode.TrainRequest toB = b.expectMessageClass(TrainingNode.TrainRequest.class);
    crashing.expectMessageClass(TrainingNode.TrainRequest.class);
    crashing.stop();
    answer(a, toA, DELTA_A, 1, 1.0);
    answer(b, toB, DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done =
        outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0), "the crashed node adds nothing");
    assertEquals(3, done.stats().sampled());
    assertEquals(2, done.stats().participants());
    assertEquals(
        List.of(
            new Dropout(nodeId(crashing), DropoutReason.CRASHED, "node stopped during the round")),
        done.stats().dropouts());
  }

  @Test
  void roundFailsWithoutAskingAnyoneWhenFewerNodesThanMinNodesAreAvailable() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(2), 42, List.of(a.ref()), outcome.ref()));

    RoundManager.RoundFailed failed = outcome.expectMessageClass(RoundManager.RoundFailed.class);
    assertEquals(1, failed.round());
    assertEquals("only 1 node(s) available, the quorum needs at least 2", failed.reason());
    assertEquals(1, failed.stats().available());
    assertEquals(0, failed.stats().sampled(), "no node is asked to train for a doomed round");
    assertEquals(0, failed.stats().participants());
  }

  @Test
  void staleUpdateIsAnInvalidUpdateDropoutAndNeverAggregated() {
    Dropout dropout =
        roundWithOneBadUpdate(
            (req, id) ->
                new RoundManager.TrainCompleted(req.round() - 1, id, DELTA_B, 1000, 0.5, 1));
    assertEquals(DropoutReason.INVALID_UPDATE, dropout.reason());
    assertEquals("stale update for round 6, this is round 7", dropout.detail());
  }

  @Test
  void wrongShapeUpdateIsAnInvalidUpdateDropoutAndNeverAggregated() {
    // Same number of parameters, another layout: folding it would silently mix up tensors.
    ModelWeights otherShape = ModelWeights.of(OTHER_LAYOUT, new float[] {100f, 100f, 100f, 100f});
    Dropout dropout =
        roundWithOneBadUpdate(
            (req, id) ->
                new RoundManager.TrainCompleted(req.round(), id, otherShape, 1000, 0.5, 1));
    assertEquals(DropoutReason.INVALID_UPDATE, dropout.reason());
    assertEquals(
        "wrong layout: expected 4 params in 2 tensors, got 4 params in 1 tensors",
        dropout.detail());
  }

  @Test
  void nanUpdateIsAnInvalidUpdateDropoutAndNeverAggregated() {
    ModelWeights withNaN = weights(0f, Float.NaN, 0f, 0f);
    Dropout dropout =
        roundWithOneBadUpdate(
            (req, id) -> new RoundManager.TrainCompleted(req.round(), id, withNaN, 1000, 0.5, 1));
    assertEquals(DropoutReason.INVALID_UPDATE, dropout.reason());
    assertEquals("update has a non-finite value (NaN) at index 1", dropout.detail());
  }

  @Test
  void nodeAnsweringInAnotherNodesNameIsDroppedAndTheOtherNodesOwnUpdateCounts() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();
    ActorRef<RoundManager.Command> round =
        testKit.spawn(RoundManager.create(1, GLOBAL, settings(1), 42, List.of(a.ref(), b.ref()), outcome.ref()));

    TrainingNode.TrainRequest toA = a.expectMessageClass(TrainingNode.TrainRequest.class);
    TrainingNode.TrainRequest toB = b.expectMessageClass(TrainingNode.TrainRequest.class);
    // a forges b's update (a huge one) on its own reply address, and straight to the round manager.
    toA.replyTo().tell(new RoundManager.TrainCompleted(1, nodeId(b), DELTA_B, 1_000_000, 0.5, 1));
    round.tell(new RoundManager.TrainCompleted(1, nodeId(b), DELTA_A, 1_000_000, 0.5, 1));
    answer(b, toB, DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(List.of(new Dropout(nodeId(a), DropoutReason.INVALID_UPDATE,
        "the reply names " + nodeId(b) + ", not the node it was sent by")), done.stats().dropouts());
    assertEquals(1, done.stats().participants());
    assertEquals(DELTA_B, done.combinedUpdate(), "only b's own update, with its own weight");
  }

  @Test
  void silentNodeTimesOutAtTheDeadlineAndTheRoundCompletesFromTheOthers() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<TrainingNode.Command> silent = testKit.createTestProbe("silent");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    spawnArmed(
        RoundManager.create(
            1, GLOBAL, settings(2), 42, List.of(a.ref(), b.ref(), silent.ref()), outcome.ref()));

    answer(a, a.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_A, 1, 1.0);
    answer(b, b.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_B, 3, 1.0);
    silent.expectMessageClass(TrainingNode.TrainRequest.class);

    manualTime.expectNoMessageFor(DEADLINE.minusMillis(1), outcome);
    manualTime.timePasses(Duration.ofMillis(1));

    RoundManager.RoundCompleted done =
        outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0));
    assertEquals(
        List.of(
            new Dropout(
                nodeId(silent),
                DropoutReason.TIMED_OUT,
                "no reply within the round deadline of 10000 ms")),
        done.stats().dropouts());
  }

  @Test
  void roundFailsAtTheDeadlineWhenTooFewNodesAnswered() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> silent = testKit.createTestProbe("silent");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    spawnArmed(
        RoundManager.create(
            1, GLOBAL, settings(2), 42, List.of(a.ref(), silent.ref()), outcome.ref()));

    answer(a, a.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_A, 1, 1.0);
    silent.expectMessageClass(TrainingNode.TrainRequest.class);
    manualTime.expectNoMessageFor(DEADLINE.minusMillis(1), outcome);
    manualTime.timePasses(Duration.ofMillis(1));

    RoundManager.RoundFailed failed = outcome.expectMessageClass(RoundManager.RoundFailed.class);
    assertEquals("1 of 2 sampled nodes returned a valid update, the quorum is 2", failed.reason());
    assertEquals(1, failed.stats().dropouts().size());
    assertEquals(DropoutReason.TIMED_OUT, failed.stats().dropouts().get(0).reason());
  }

  @Test
  void declinedNodeIsADropoutWithItsOwnReason() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<TrainingNode.Command> declining = testKit.createTestProbe("declining");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(
        RoundManager.create(
            1, GLOBAL, settings(2), 42, List.of(a.ref(), b.ref(), declining.ref()), outcome.ref()));

    TrainingNode.TrainRequest toDeclining =
        declining.expectMessageClass(TrainingNode.TrainRequest.class);
    toDeclining
        .replyTo()
        .tell(
            new RoundManager.TrainDeclined(
                1, nodeId(declining), DropoutReason.TRAINING_FAILED, "out of memory"));
    answer(a, a.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_A, 1, 1.0);
    answer(b, b.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done =
        outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0));
    assertEquals(
        List.of(new Dropout(nodeId(declining), DropoutReason.TRAINING_FAILED, "out of memory")),
        done.stats().dropouts());
  }

  @Test
  void samplingIsSeededAndIndependentOfTheListingOrder() {
    List<ActorRef<TrainingNode.Command>> listing = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      listing.add(testKit.<TrainingNode.Command>createTestProbe("n" + i).ref());
    }
    List<ActorRef<TrainingNode.Command>> reversed = new ArrayList<>(listing);
    Collections.reverse(reversed);
    RoundSettings threeOfTen = new RoundSettings(0.3, 1, 0.0, DEADLINE, TRAIN);

    Set<String> first = sampledNodes(threeOfTen, listing);
    Set<String> again = sampledNodes(threeOfTen, reversed);

    assertEquals(3, first.size(), "C = 0.3 of 10 nodes");
    assertEquals(first, again, "same seed and round: same nodes, whatever the listing order");
  }

  /** Runs round 7 with no node answering; the deadline's dropouts name the sampled nodes. */
  private Set<String> sampledNodes(
      RoundSettings settings, List<ActorRef<TrainingNode.Command>> listing) {
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();
    spawnArmed(RoundManager.create(7, GLOBAL, settings, 42, listing, outcome.ref()));
    manualTime.timePasses(DEADLINE);
    RoundManager.RoundFailed failed = outcome.expectMessageClass(RoundManager.RoundFailed.class);
    assertEquals(settings.sampleSize(listing.size()), failed.stats().sampled());
    Set<String> sampled = new TreeSet<>();
    for (Dropout d : failed.stats().dropouts()) {
      assertEquals(DropoutReason.TIMED_OUT, d.reason());
      sampled.add(d.nodeId());
    }
    return sampled;
  }

  /**
   * A round of 7 with three nodes: two valid (1 and 3 samples) and one whose update {@code bad}
   * makes. Checks that the bad one is the only dropout and that the new global is what the valid
   * updates alone give, although the bad one claims 1000 samples; returns its dropout.
   */
  private Dropout roundWithOneBadUpdate(BadUpdate bad) {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("a");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("b");
    TestProbe<TrainingNode.Command> badNode = testKit.createTestProbe("bad");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(
        RoundManager.create(
            7, GLOBAL, settings(2), 42, List.of(a.ref(), b.ref(), badNode.ref()), outcome.ref()));

    TrainingNode.TrainRequest toBad = badNode.expectMessageClass(TrainingNode.TrainRequest.class);
    toBad.replyTo().tell(bad.reply(toBad, nodeId(badNode)));
    answer(a, a.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_A, 1, 1.0);
    answer(b, b.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done =
        outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0), "the bad update is never aggregated");
    assertEquals(2, done.stats().participants());
    assertEquals(4, done.stats().samplesProcessed(), "the bad update's samples are not counted");
    assertEquals(1, done.stats().dropouts().size());
    Dropout dropout = done.stats().dropouts().get(0);
    assertEquals(nodeId(badNode), dropout.nodeId());
    return dropout;
  }

  @FunctionalInterface
  private interface BadUpdate {
    RoundManager.TrainReply reply(TrainingNode.TrainRequest request, String nodeId);
  }

  @Test
  void simulatedStragglersAreDroppedWhenTheStrategyRejectsPartialWork() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("sa");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("sb");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();
    // 4 local epochs, half of the 2 sampled nodes straggle, FedAvg drops them
    RoundSettings fedAvg =
        new RoundSettings(1.0, 1, 0.0, DEADLINE, TRAIN.withLocalEpochs(4), false, 0.5);

    testKit.spawn(RoundManager.create(5, GLOBAL, fedAvg, 42, List.of(a.ref(), b.ref()), outcome.ref()));

    TrainingNode.TrainRequest toA = a.expectMessageClass(TrainingNode.TrainRequest.class);
    TrainingNode.TrainRequest toB = b.expectMessageClass(TrainingNode.TrainRequest.class);
    int epochsA = toA.config().localEpochs();
    int epochsB = toB.config().localEpochs();
    assertEquals(1, (epochsA < 4 ? 1 : 0) + (epochsB < 4 ? 1 : 0), "exactly one straggler");
    answer(a, toA, DELTA_A, 1, 2.0);
    answer(b, toB, DELTA_B, 3, 1.0);

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    Dropout dropout = done.stats().dropouts().get(0);
    assertEquals(DropoutReason.STRAGGLER, dropout.reason());
    String straggler = epochsA < 4 ? nodeId(a) : nodeId(b);
    assertEquals(straggler, dropout.nodeId());
    assertEquals(epochsA < 4 ? DELTA_B : DELTA_A, done.combinedUpdate(), "only the full worker counts");
  }

  @Test
  void partialWorkIsAggregatedWhenTheStrategyAcceptsIt() {
    TestProbe<TrainingNode.Command> a = testKit.createTestProbe("pa");
    TestProbe<TrainingNode.Command> b = testKit.createTestProbe("pb");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();
    RoundSettings fedProx =
        new RoundSettings(1.0, 1, 0.0, DEADLINE, TRAIN.withLocalEpochs(4), true, 0.5);

    testKit.spawn(RoundManager.create(5, GLOBAL, fedProx, 42, List.of(a.ref(), b.ref()), outcome.ref()));

    answer(a, a.expectMessageClass(TrainingNode.TrainRequest.class), DELTA_A, 1, 2.0);
    TrainingNode.TrainRequest toB = b.expectMessageClass(TrainingNode.TrainRequest.class);
    toB.replyTo().tell(new RoundManager.TrainCompleted(5, nodeId(b), DELTA_B, 3, 1.0, 2, true, true));

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class);
    assertEquals(List.of(), done.stats().dropouts());
    assertEquals(GLOBAL_AFTER_A_AND_B, GLOBAL.plusScaled(done.combinedUpdate(), 1.0));
  }

  private static void answer(
      TestProbe<TrainingNode.Command> node,
      TrainingNode.TrainRequest request,
      ModelWeights delta,
      int numSamples,
      double loss) {
    request
        .replyTo()
        .tell(
            new RoundManager.TrainCompleted(
                request.round(), nodeId(node), delta, numSamples, loss, 1));
  }

  /** Spawns {@code round} and returns once its setup ran: its deadline timer is armed. */
  private void spawnArmed(Behavior<RoundManager.Command> round) {
    TestProbe<String> started = testKit.createTestProbe();
    testKit.spawn(Started.signalling(RoundManager.Command.class, round, started.ref()));
    started.expectMessage("started");
  }
}
