package io.flock.actors.round;

import static io.flock.actors.testing.Fixtures.LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Securely aggregated rounds with real {@link TrainingNode}s (on {@link FakeEngine}s that return
 * fixed updates) and a real {@link RoundManager}: the round's combined update is the unweighted
 * mean of the survivors' updates clipped per coordinate, within the quantization bound, and a node
 * that crashes in a middle phase is a recorded dropout while the round completes. Time is virtual:
 * no deadline fires in these tests. Every message crosses the serializer (serialize-messages on).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureAggregationRoundTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(Fixtures.manualTimeConfig()).build();

  private static final ModelWeights GLOBAL = weights(1f, 2f, 3f, 4f);
  private static final double CLIP = 1.0;
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(1);

  // Updates of nodes with 1, 3 and 5 samples; B's last coordinate (2.0) is beyond the clip.
  private static final float[] A = {0.5f, -0.25f, 0.125f, 1.0f};
  private static final float[] B = {-0.5f, 0.75f, 0.25f, 2.0f};
  private static final float[] C = {0.25f, 0f, -1.0f, -0.5f};
  private static final float[] D = {0.9f, 0.9f, 0.9f, 0.9f};

  /**
   * The unweighted mean of A, B and C clipped to [-1, 1], by hand:
   *
   * <pre>
   *   A + B + clip(C)  = [0.25, 0.5, -0.625, 1.5]   (B's 2.0 counts as 1.0)
   *   / 3              = [0.0833.., 0.1666.., -0.2083.., 0.5]
   * </pre>
   *
   * FedAvg would weight them 1:3:5 instead.
   */
  private static final float[] MEAN_ABC = {0.25f / 3, 0.5f / 3, -0.625f / 3, 0.5f};

  /** Quantization error at most one step per input (b = 30 bits for m <= 4), plus float rounding. */
  private static final double TOLERANCE = 1e-6;

  private int spawned;

  /** A real node named {@code nodeId} with {@code samples} samples whose training returns {@code delta}. */
  private ActorRef<TrainingNode.Command> node(String nodeId, String actorName, int samples, float[] delta) {
    var worker = testKit.spawn(TrainingWorker.supervised(new FakeEngine.Factory(delta, 0.5, FakeEngine.Hook.NONE),
        Duration.ofMillis(5), Duration.ofMillis(50)), actorName + "-worker");
    var setup = TrainingNode.Setup.of(nodeId, Fixtures.nodeData(samples), LAYOUT, 7).withIdentity(Fixtures.identity(nodeId));
    return testKit.spawn(TrainingNode.create(setup, worker), actorName);
  }

  private String fresh(String name) {
    return name + "-" + (++spawned);
  }

  private static RoundSettings settings(List<String> nodeIds) {
    Map<String, byte[]> keys = Fixtures.identityKeys(nodeIds);
    return new RoundSettings(1.0, 2, 0.0, Duration.ofMinutes(1), TRAIN)
        .withSecureAggregation(new SecureAggregation(0, 0, CLIP, PHASE_TIMEOUT, keys));
  }

  private static void assertMean(float[] expected, ModelWeights combined) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], combined.get(i), TOLERANCE, "coordinate " + i);
    }
  }

  @Test
  void secureRoundGivesTheUnweightedMeanOfTheClippedUpdates() {
    List<String> ids = List.of(fresh("a"), fresh("b"), fresh("c"));
    List<ActorRef<TrainingNode.Command>> nodes = List.of(node(ids.get(0), ids.get(0), 1, A),
        node(ids.get(1), ids.get(1), 3, B), node(ids.get(2), ids.get(2), 5, C));
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(ids), 42, nodes, outcome.ref()));

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(30));
    assertMean(MEAN_ABC, done.combinedUpdate());
    assertEquals(3, done.stats().participants());
    assertEquals(9, done.stats().samplesProcessed(), "(1 + 3 + 5) samples x 1 epoch, reported in clear");
    assertEquals(0.5, done.stats().meanTrainLoss(), 1e-12);
    assertEquals(List.of(), done.stats().dropouts());
  }

  @Test
  void secureRoundOnASparseHararyGraphGivesTheSameMean() {
    // 5 nodes, k = 2 (a ring permuted by the round's seed), t = 2: SecAgg+ rather than the complete graph
    List<String> ids = List.of(fresh("a"), fresh("b"), fresh("c"), fresh("a2"), fresh("b2"));
    float[][] deltas = {A, B, C, A, B};
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      nodes.add(node(ids.get(i), ids.get(i), i + 1, deltas[i]));
    }
    Map<String, byte[]> keys = Fixtures.identityKeys(ids);
    RoundSettings sparse = new RoundSettings(1.0, 2, 0.0, Duration.ofMinutes(1), TRAIN)
        .withSecureAggregation(new SecureAggregation(2, 2, CLIP, PHASE_TIMEOUT, keys));
    assertEquals(2, sparse.secureAggregation().setupFor(1, ids, 4, 42).toConfig().graph().degree(),
        "the round's graph is 2-regular, not the complete graph of 5");
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, sparse, 42, nodes, outcome.ref()));

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(30));
    float[] expected = new float[4];
    for (float[] d : deltas) {
      for (int i = 0; i < 4; i++) {
        expected[i] += (float) Math.max(-CLIP, Math.min(CLIP, d[i])) / deltas.length;
      }
    }
    assertMean(expected, done.combinedUpdate());
    assertEquals(5, done.stats().participants());
  }

  /** Forwards everything to {@code real}, but stops (a crash) when asked to mask its input. */
  private static Behavior<TrainingNode.Command> crashesWhenAskedToMask(ActorRef<TrainingNode.Command> real) {
    return Behaviors.receive(TrainingNode.Command.class)
        .onMessage(TrainingNode.MaskInput.class, m -> Behaviors.stopped())
        .onAnyMessage(m -> {
          real.tell(m);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void secureRoundCompletesWithTheSurvivorsWhenANodeCrashesInTheMaskedInputPhase() {
    List<String> ids = List.of(fresh("a"), fresh("b"), fresh("c"), fresh("d"));
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>(List.of(node(ids.get(0), ids.get(0), 1, A),
        node(ids.get(1), ids.get(1), 3, B), node(ids.get(2), ids.get(2), 5, C)));
    // The round manager knows the node by the proxy's name; the real node behind it answers as it.
    ActorRef<TrainingNode.Command> realD = node(ids.get(3), "real-" + ids.get(3), 2, D);
    nodes.add(testKit.spawn(crashesWhenAskedToMask(realD), ids.get(3)));
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(ids), 42, nodes, outcome.ref()));

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(30));
    assertMean(MEAN_ABC, done.combinedUpdate());
    assertEquals(4, done.stats().sampled());
    assertEquals(3, done.stats().participants());
    assertEquals(9, done.stats().samplesProcessed(), "the crashed node's samples are not counted");
    assertEquals(List.of(new Dropout(ids.get(3), DropoutReason.CRASHED,
        "node stopped during the secure-aggregation masked-input phase")), done.stats().dropouts());
  }

  /**
   * Forwards everything to {@code real}; after a share-keys command it asks {@code real} to
   * identify itself and tells {@code replied} the answer's node id, so a test knows when the node
   * has handled the phase (a node answers in order) and the phase waits only for the silent nodes.
   * The share-keys reply itself goes straight to the round's address: a node answers no other.
   */
  private static Behavior<TrainingNode.Command> reportsItsSharedKeys(ActorRef<TrainingNode.Command> real,
      ActorRef<String> replied) {
    return Behaviors.setup(ctx -> Behaviors.receive(TrainingNode.Command.class)
        .onMessage(TrainingNode.ShareKeys.class, m -> {
          ActorRef<TrainingNode.Identified> relay = ctx.spawnAnonymous(Behaviors.receive(TrainingNode.Identified.class)
              .onAnyMessage(identified -> {
                replied.tell(identified.nodeId());
                return Behaviors.stopped();
              })
              .build());
          real.tell(m);
          real.tell(new TrainingNode.Identify(null, relay));
          return Behaviors.same();
        })
        .onAnyMessage(m -> {
          real.tell(m);
          return Behaviors.same();
        })
        .build());
  }

  /** Forwards everything to {@code real} but never answers the share-keys phase. */
  private static Behavior<TrainingNode.Command> silentInTheShareKeysPhase(ActorRef<TrainingNode.Command> real) {
    return Behaviors.receive(TrainingNode.Command.class)
        .onMessage(TrainingNode.ShareKeys.class, m -> Behaviors.same())
        .onAnyMessage(m -> {
          real.tell(m);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void secureRoundCompletesWhenANodeStaysSilentInTheShareKeysPhaseUntilItsDeadline() {
    List<String> ids = List.of(fresh("a"), fresh("b"), fresh("c"), fresh("d"));
    float[][] deltas = {A, B, C, D};
    int[] samples = {1, 3, 5, 2};
    TestProbe<String> replied = testKit.createTestProbe();
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ActorRef<TrainingNode.Command> real = node(ids.get(i), "real-" + ids.get(i), samples[i], deltas[i]);
      nodes.add(testKit.spawn(i < 3 ? reportsItsSharedKeys(real, replied.ref()) : silentInTheShareKeysPhase(real),
          ids.get(i)));
    }
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(ids), 42, nodes, outcome.ref()));
    java.util.Set<String> answered = new java.util.TreeSet<>();
    for (int i = 0; i < 3; i++) {
      answered.add(replied.expectMessageClass(String.class, Duration.ofSeconds(30)));
    }
    assertEquals(new java.util.TreeSet<>(ids.subList(0, 3)), answered);
    ManualTime.get(testKit.system()).timePasses(PHASE_TIMEOUT);

    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(30));
    // D advertised keys but shared none: no share of it was relayed, so nobody masks with it
    // (Bonawitz et al. 2017, Fig. 4: pairwise masks only with U2, the clients whose shares arrived).
    assertMean(MEAN_ABC, done.combinedUpdate());
    assertEquals(3, done.stats().participants());
    assertEquals(List.of(new Dropout(ids.get(3), DropoutReason.TIMED_OUT,
        "no reply in the secure-aggregation share-keys phase within 60000 ms")), done.stats().dropouts());
  }

  /**
   * Forwards everything to {@code real}; when the round asks it to advertise keys, an actor outside
   * the round ({@code foreign}) first asks the same node for its keys and to unmask.
   */
  private static Behavior<TrainingNode.Command> alsoAskedByAForeignActor(ActorRef<TrainingNode.Command> real,
      ActorRef<SecaggRound.Reply> foreign) {
    return Behaviors.receive(TrainingNode.Command.class)
        .onMessage(TrainingNode.AdvertiseKeys.class, m -> {
          real.tell(new TrainingNode.AdvertiseKeys(m.round(), foreign));
          real.tell(new TrainingNode.Unmask(m.round(), new io.flock.privacy.secagg.SecaggMessages.UnmaskRequest(
              m.round(), List.of(0, 1, 2)), foreign));
          real.tell(m);
          return Behaviors.same();
        })
        .onAnyMessage(m -> {
          real.tell(m);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void nodeDeclinesPhaseCommandsFromAnActorOutsideItsRoundAndTheRoundStillCompletes() {
    List<String> ids = List.of(fresh("a"), fresh("b"), fresh("c"));
    TestProbe<SecaggRound.Reply> foreign = testKit.createTestProbe();
    List<ActorRef<TrainingNode.Command>> nodes = new ArrayList<>(List.of(node(ids.get(0), ids.get(0), 1, A),
        node(ids.get(1), ids.get(1), 3, B)));
    ActorRef<TrainingNode.Command> realC = node(ids.get(2), "real-" + ids.get(2), 5, C);
    nodes.add(testKit.spawn(alsoAskedByAForeignActor(realC, foreign.ref()), ids.get(2)));
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(ids), 42, nodes, outcome.ref()));

    for (String phase : List.of("advertise-keys", "unmask")) {
      SecaggRound.PhaseDeclined declined = foreign.expectMessageClass(SecaggRound.PhaseDeclined.class,
          Duration.ofSeconds(30));
      assertEquals(phase, declined.phase());
      assertTrue(declined.detail().contains("is not of the round manager"), declined.detail());
      assertTrue(declined.detail().contains("that sent round 1's train request"), declined.detail());
    }
    // The foreign unmask request changed nothing: the node still takes part in every phase.
    RoundManager.RoundCompleted done = outcome.expectMessageClass(RoundManager.RoundCompleted.class,
        Duration.ofSeconds(30));
    assertMean(MEAN_ABC, done.combinedUpdate());
    assertEquals(3, done.stats().participants());
  }

  @Test
  void secureRoundFailsSayingWhyWhenASampledNodeHasNoIdentityKey() {
    List<String> ids = List.of(fresh("a"), fresh("b"));
    List<ActorRef<TrainingNode.Command>> nodes = List.of(node(ids.get(0), ids.get(0), 1, A),
        node(ids.get(1), ids.get(1), 3, B));
    TestProbe<RoundManager.Outcome> outcome = testKit.createTestProbe();

    testKit.spawn(RoundManager.create(1, GLOBAL, settings(List.of(ids.get(0))), 42, nodes, outcome.ref()));

    RoundManager.RoundFailed failed = outcome.expectMessageClass(RoundManager.RoundFailed.class);
    assertTrue(failed.reason().contains("node " + ids.get(1) + " has no identity key"), failed.reason());
  }

  @Test
  void defaultDegreeIsCompleteUpTo16NodesThenTwiceCeilLog2() {
    SecureAggregation s = new SecureAggregation(0, 0, 1.0, Duration.ofSeconds(1), Map.of());
    assertEquals(15, s.degreeFor(16));
    assertEquals(10, s.degreeFor(17), "2 * ceil(log2 17) = 2 * 5");
    assertEquals(14, s.degreeFor(100), "2 * ceil(log2 100) = 2 * 7");
    assertEquals(8, s.thresholdFor(14), "k/2 + 1");
    assertEquals(4, new SecureAggregation(6, 0, 1.0, Duration.ofSeconds(1), Map.of()).degreeFor(5),
        "a degree of at least m - 1 is the complete graph");
  }
}
