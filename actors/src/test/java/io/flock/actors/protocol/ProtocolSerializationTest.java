package io.flock.actors.protocol;

import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.coordinator.CheckpointStore;
import io.flock.actors.coordinator.Coordinator;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.actors.node.TrainingNode;
import io.flock.actors.round.Aggregator;
import io.flock.actors.round.FederatedEvaluator;
import io.flock.actors.round.RoundManager;
import io.flock.actors.round.RoundSettings;
import io.flock.actors.round.RoundStats;
import io.flock.actors.round.SecaggRound;
import io.flock.actors.round.SecaggTask;
import io.flock.privacy.secagg.SecaggMessages;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.transfer.BytesPayload;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link CborSerializable} message of the protocol survives Pekko's serializer as bound in
 * {@code reference.conf}: the serializer found is jackson-cbor, and the decoded message equals the
 * original (records holding {@link ModelWeights} compare the weights by value).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one ActorTestKit for the class, shut down after
class ProtocolSerializationTest {

  @JUnit5TestKit
  final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(Fixtures.testConfig()).build();

  private static final ModelWeights MODEL = weights(0.5f, -1.25f, 3f, Float.MIN_VALUE);
  private static final Dropout DROPOUT =
      new Dropout("node-3", DropoutReason.TIMED_OUT, "no reply within the round deadline of 10 ms");
  private static final RoundStats STATS =
      new RoundStats(10, 4, 3, 300, 0.6931, List.of(DROPOUT), 1234);
  private static final RoundSettings SETTINGS =
      new RoundSettings(0.4, 3, 0.5, Duration.ofSeconds(30), TRAIN);

  private static final SecaggMessages.AdvertisedKeys KEYS =
      new SecaggMessages.AdvertisedKeys(3, 0, new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5, 6});
  private static final SecaggMessages.EncryptedShare SHARE =
      new SecaggMessages.EncryptedShare(0, 1, new byte[] {7}, new byte[] {8, 9});

  Stream<Named<CborSerializable>> protocolMessages() {
    ActorRef<RoundManager.TrainReply> round =
        testKit.<RoundManager.TrainReply>createTestProbe().ref();
    ActorRef<Aggregator.Aggregated> roundAdapter =
        testKit.<Aggregator.Aggregated>createTestProbe().ref();
    ActorRef<Coordinator.GlobalModel> asker =
        testKit.<Coordinator.GlobalModel>createTestProbe().ref();
    ActorRef<FederatedEvaluator.EvalReply> evalReplies =
        testKit.<FederatedEvaluator.EvalReply>createTestProbe().ref();
    ActorRef<SecaggRound.Reply> secagg = testKit.<SecaggRound.Reply>createTestProbe().ref();
    ActorRef<CheckpointStore.Replicated> replicas =
        testKit.<CheckpointStore.Replicated>createTestProbe().ref();
    return Stream.of(
            new TrainingNode.TrainRequest(3, MODEL, TRAIN, -7L, round),
            new RoundManager.TrainCompleted(3, "node-1", MODEL, 60, 0.25, 8),
            new RoundManager.TrainDeclined(3, "node-2", DropoutReason.DECLINED, "stale round 3"),
            new RoundManager.RoundCompleted(3, MODEL, STATS),
            new RoundManager.RoundFailed(3, "1 of 4 sampled nodes returned a valid update", STATS),
            new RoundStats(5, 0, 0, 0, Double.NaN, List.of(), 0), // NaN loss: nobody trained
            STATS,
            new Aggregator.Fold("node-1", MODEL, 60),
            new Aggregator.Finish(roundAdapter),
            new Aggregator.Aggregated(MODEL, 3, 180, null),
            new Aggregator.Aggregated(null, 1, 60, "Krum needs at least 3 updates"),
            new Coordinator.GetGlobalModel(asker),
            new Coordinator.GlobalModel(2, MODEL),
            new RoundReport(
                3,
                10,
                2,
                true,
                null,
                0.5,
                0.1,
                12.5,
                0.875,
                0.6,
                10,
                4,
                3,
                300,
                List.of(DROPOUT),
                1500,
                20,
                1.25,
                0.4,
                0.9,
                7),
            new RoundReport(
                4,
                10,
                2,
                false,
                "only 1 node(s) available, the quorum needs at least 3",
                0.5,
                0,
                0,
                Double.NaN,
                Double.NaN,
                1,
                0,
                0,
                0,
                List.of(),
                3,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0),
            new TrainingFinished("all 10 rounds done", false, 10, 9, MODEL, 0.31, Double.NaN, 2.5),
            new RoundManager.TrainCompleted(3, "node-2", MODEL, 60, 0.25, 8, false, true),
            new RoundSettings(0.1, 2, 0.5, Duration.ofSeconds(30), TRAIN, false, 0.5),
            new TrainingNode.EvaluateRequest(4, MODEL, evalReplies),
            new FederatedEvaluator.EvaluateCompleted(4, "node-1", 0.3, 0.91, 120),
            new FederatedEvaluator.EvaluateDeclined(4, "node-2", "no held-out data"),
            new FederatedEvaluator.Result(4, new io.flock.models.aggregation.FederatedEvaluation(0.3, 0.91, 120, 1), 2),
            new FederatedEvaluator.Result(5, null, 2),
            DROPOUT,
            SETTINGS,
            // claims on bytes: a side-channel offer for weights, a checkpoint replica inline
            new TrainingNode.TrainRequest(3, new WeightsPayload.Encoded(MODEL.layout(),
                new BytesPayload.Socket(16, 0xCAFEF00DL, "10.0.0.7", 25521, "0f".repeat(16))), TRAIN, -7L, round),
            new CheckpointStore.Replicate(7, new BytesPayload.Inline(new byte[] {1, 2, 3}), replicas),
            // secure aggregation: the train request's task, the node's kept reply, the four phases
            new TrainingNode.TrainRequest(3, new WeightsPayload.Inline(MODEL), TRAIN, -7L, round,
                new SecaggTask(1, new SecaggTask.Setup(3, 3, 2, new byte[32], 2, 4, 1.0, 30,
                    List.of(new byte[] {1}, new byte[] {2}, new byte[] {3})))),
            new RoundManager.UpdateKept(3, "node-1", 60, 0.25, 8, false),
            new TrainingNode.AdvertiseKeys(3, secagg),
            new TrainingNode.ShareKeys(3, new SecaggMessages.NeighbourKeys(3, 1, List.of(KEYS)), secagg),
            new TrainingNode.MaskInput(3, new SecaggMessages.IncomingShares(3, 1, List.of(SHARE)), secagg),
            new TrainingNode.Unmask(3, new SecaggMessages.UnmaskRequest(3, List.of(0, 1)), secagg),
            new SecaggRound.KeysAdvertised(3, "node-0", KEYS),
            new SecaggRound.KeysShared(3, "node-0", new SecaggMessages.SharedKeys(3, 0, List.of(SHARE))),
            new SecaggRound.InputMasked(3, "node-0", 0,
                new BytesPayload.Inline(new io.flock.privacy.secagg.SecaggMessages.MaskedInput(3, 0, new int[] {-1, 0, 7, 1 << 31}).toLittleEndian())),
            new SecaggRound.InputMasked(3, "node-0", 0,
                new BytesPayload.Socket(400_000, 0x1234L, "10.0.0.7", 25521, "b2".repeat(16))),
            new SecaggRound.Unmasked(3, "node-0", new SecaggMessages.UnmaskResponse(3, 0,
                List.of(new SecaggMessages.Revealed(1, new byte[] {9, 8})), List.of())),
            new SecaggRound.PhaseDeclined(3, "node-0", "share-keys", "fewer than t neighbours advertised keys"),
            new CheckpointStore.Replicate(7,
                new BytesPayload.Socket(1 << 20, 0xFFFFFFFFL, "10.0.0.7", 25521, "a1".repeat(16)), replicas))
        .map(m -> Named.of(m.getClass().getName(), m));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolMessages")
  void everyProtocolMessageRoundTripsThroughJacksonCbor(CborSerializable message) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals(
        testKit.system().settings().config().getString("pekko.actor.serializers.jackson-cbor"),
        serializer.getClass().getName(),
        "bound to jackson-cbor by reference.conf");

    // serialize/deserialize through the extension: ActorRefs need its transport information
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Object decoded = serialization.deserialize(bytes, serializer.identifier(), manifest).get();

    assertNotSame(message, decoded);
    assertEquals(message, decoded);
  }

  @Test
  void modelWeightsTravelAsOneByteStringOfFourBytesPerParameter() {
    int n = 10_000;
    ModelLayout layout = new ModelLayout(List.of(ParamSpec.of("w", n)));
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.25f - 100f;
    }
    Aggregator.Fold fold = new Aggregator.Fold("node-1", ModelWeights.of(layout, values), 1);

    byte[] bytes =
        SerializationExtension.get(testKit.system().classicSystem()).serialize(fold).get();

    // 40,000 payload bytes plus field names and the layout; a float array would cost 5 bytes each
    assertTrue(
        bytes.length >= 4 * n && bytes.length < 4 * n + 200,
        "a 10,000-parameter update took " + bytes.length + " bytes");
  }

  @Test
  void actorTestsRunWithSerializeMessagesOn() {
    assertTrue(
        testKit.system().settings().config().getBoolean("pekko.actor.serialize-messages"),
        "application-test.conf must turn serialize-messages on for every actor test");
  }
}
