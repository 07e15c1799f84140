package io.flock.actors.coordinator;

import static io.flock.actors.testing.Fixtures.LAYOUT;
import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeData;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.round.RoundSettings;
import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.weights.ModelWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files, their replication between stores, and a coordinator resuming from one. */
@ExtendWith(LogCapturingExtension.class)
class CheckpointTest {

  private static final Duration NEVER = Duration.ofMinutes(1);
  private static final ModelWeights INITIAL = weights(1f, 2f, 3f, 4f);

  @TempDir Path dir;
  private ActorTestKit testKit;

  @BeforeEach
  void startSystem() {
    testKit = ActorTestKit.create("CheckpointTest", Fixtures.testConfig());
  }

  @AfterEach
  void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static CoordinatorSettings settings(int rounds) {
    return new CoordinatorSettings(rounds, 3, NEVER, new RoundSettings(1.0, 2, 0.0, NEVER, TRAIN), 42, 0, 0, 1);
  }

  @Test
  void checkpointFileRoundTripsAndKeepsThePreviousOne() throws IOException {
    CheckpointFiles files = new CheckpointFiles(dir.resolve("work"));
    assertNull(files.readLatest(), "no checkpoint yet");
    Checkpoint first = checkpoint(1, weights(1f, 1f, 1f, 1f));
    Checkpoint second = checkpoint(2, weights(2f, 2f, 2f, 2f));
    files.write(first);
    files.write(second);
    assertEquals(second.global(), files.readLatest().global());
    assertEquals(2, files.readLatest().round());
    assertEquals(1, CheckpointFiles.read(dir.resolve("work").resolve(CheckpointFiles.PREVIOUS)).round());
    assertEquals(List.of("--rounds", "5"), files.readLatest().runArgs());

    // A crash between the two renames of a write leaves only the previous file: it is the latest.
    java.nio.file.Files.delete(dir.resolve("work").resolve(CheckpointFiles.LATEST));
    assertTrue(files.exists());
    assertEquals(1, files.readLatest().round());
    files.write(second);

    // Privacy state, optimizer slots and reports with dropouts survive the file too.
    var momentum = Strategies.create("fedavgm", StrategyOptions.defaults()).newServerOptimizer();
    momentum.step(INITIAL, weights(0.5f, 0.25f, 0f, -1f));
    var accountant = io.flock.privacy.dp.PrivacyAccountant.empty().compose(0.1, 1.1, 3);
    var clipping = new io.flock.privacy.dp.AdaptiveClipping(0.7, 0.5, 0.2, 0.5);
    RoundReport report = new RoundReport(3, 5, 2, true, null, 0.4, 0, 1.5, Double.NaN, 0.45, 3, 3, 2, 40,
        List.of(new io.flock.actors.protocol.Dropout("node-1-0", io.flock.actors.protocol.DropoutReason.CRASHED,
            "node stopped during the round")), 120, 4, 0.8, Double.NaN, Double.NaN, 0);
    Checkpoint full = new Checkpoint(List.of("--dp-epsilon", "2"), 3, 2, 1, 0.4, Double.NaN, INITIAL,
        momentum.snapshot(), accountant, clipping, List.of(report), "all 3 rounds done",
        List.of("ab".repeat(32)));
    files.write(full);
    Checkpoint back = files.readLatest();
    assertEquals(full.optimizer(), back.optimizer());
    assertEquals(accountant, back.accountant());
    assertEquals(clipping, back.clipping());
    assertEquals(List.of(report), back.reports());
    assertEquals("all 3 rounds done", back.finished());
    assertEquals(List.of("ab".repeat(32)), back.allowlist());
    assertTrue(Double.isNaN(back.lastAccuracy()));
  }

  @Test
  void corruptCheckpointIsReportedWithThePreviousFileNamedAndNothingIsOverwritten() throws IOException {
    Path work = dir.resolve("work");
    CheckpointFiles files = new CheckpointFiles(work);
    files.write(checkpoint(1, weights(1f, 1f, 1f, 1f)));
    files.write(checkpoint(2, weights(2f, 2f, 2f, 2f)));
    Path latest = work.resolve(CheckpointFiles.LATEST);
    byte[] bytes = Files.readAllBytes(latest);
    bytes[bytes.length - 3] ^= 0x55; // one damaged byte in the payload
    Files.write(latest, bytes);

    var e = assertThrows(CheckpointFiles.CorruptCheckpointException.class, files::readLatest);
    assertTrue(e.getMessage().contains("CRC32 does not match"), e.getMessage());
    assertTrue(e.getMessage().contains(CheckpointFiles.PREVIOUS), e.getMessage());
    assertEquals(bytes.length, Files.size(latest), "the damaged file is left for inspection");

    Files.write(latest, new byte[] {1, 2, 3});
    var e2 = assertThrows(CheckpointFiles.CorruptCheckpointException.class, files::readLatest);
    assertTrue(e2.getMessage().contains("header"), e2.getMessage());
  }

  @Test
  void saveIsWrittenLocallyAndReplicatedToEveryOtherStoreBeforeItIsAcknowledged() {
    CheckpointFiles here = new CheckpointFiles(dir.resolve("here"));
    CheckpointFiles there = new CheckpointFiles(dir.resolve("there"));
    ActorRef<CheckpointStore.Command> local = testKit.spawn(CheckpointStore.create(here, NEVER), "store-here");
    testKit.spawn(CheckpointStore.create(there, NEVER), "store-there");
    TestProbe<CheckpointStore.Saved> saved = testKit.createTestProbe();

    // The stores find each other through the receptionist; save until the copy has a peer.
    CheckpointStore.Saved result;
    int round = 0;
    do {
      round++;
      local.tell(new CheckpointStore.Save(checkpoint(round, weights(round, 0f, 0f, 0f)), saved.ref()));
      result = saved.receiveMessage();
      assertNull(result.error());
    } while (result.replicas() == 0);
    assertEquals(1, result.replicas());
    assertEquals(List.of(), result.missing());
    assertEquals(round, there.readLatest().round(), "the replica is on the other store's own disk");
    assertEquals(here.readLatest().global(), there.readLatest().global());
  }

  @Test
  void checkpointBiggerThanAFrameReachesTheReplicaBitForBit() throws IOException {
    // In one JVM the file's bytes pass by reference; across JVMs they take the side channel
    // (CheckpointReplicaTrustTest).
    CheckpointFiles here = new CheckpointFiles(dir.resolve("here"));
    CheckpointFiles there = new CheckpointFiles(dir.resolve("there"));
    ActorRef<CheckpointStore.Command> local = testKit.spawn(CheckpointStore.create(here, NEVER), "store-here");
    testKit.spawn(CheckpointStore.create(there, NEVER), "store-there");
    TestProbe<CheckpointStore.Saved> saved = testKit.createTestProbe();
    ModelWeights big = bigWeights();
    CheckpointStore.Saved result;
    int round = 0;
    do {
      round++;
      local.tell(new CheckpointStore.Save(checkpoint(round, big), saved.ref()));
      result = saved.receiveMessage(Duration.ofSeconds(20));
      assertNull(result.error());
    } while (result.replicas() == 0);
    assertEquals(round, there.readLatest().round());
    assertTrue(java.util.Arrays.equals(
        Files.readAllBytes(dir.resolve("here").resolve(CheckpointFiles.LATEST)),
        Files.readAllBytes(dir.resolve("there").resolve(CheckpointFiles.LATEST))), "the replica is the same file");
  }

  /**
   * Two rounds with checkpoints, then the coordinator is stopped (its JVM "dies") and a new one
   * starts from the checkpoint alone: it runs rounds 3 and 4 only, from the model of round 2, so
   * no round is lost or repeated and the end model equals an uninterrupted run's, (1, 2, 3, 4) + 4
   * x (1, 1, 1, -1) (the nodes' arithmetic is in CoordinatorTest).
   */
  @Test
  void coordinatorResumedFromTheCheckpointRunsTheRemainingRoundsOnlyAndEndsWithTheSameModel() {
    Fixtures.spawnNode(testKit, "node-1", 1, new float[] {4f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-2", 1, new float[] {0f, 4f, 0f, 0f}, FakeEngine.Hook.NONE, null);
    Fixtures.spawnNode(testKit, "node-3", 2, new float[] {0f, 0f, 2f, -2f}, FakeEngine.Hook.NONE, null);
    CheckpointFiles files = new CheckpointFiles(dir.resolve("work"));
    ActorRef<CheckpointStore.Command> store = testKit.spawn(CheckpointStore.create(files, NEVER), "store");
    var fedavg = Strategies.create("fedavgm", StrategyOptions.defaults());

    TestProbe<Coordinator.Event> first = testKit.createTestProbe();
    ActorRef<Coordinator.Command> c1 = testKit.spawn(Coordinator.create(settings(2), INITIAL, fedavg, null,
        first.ref(), new Coordinator.Persistence(null, store, List.of("--rounds", "4"))), "c1");
    for (int r = 1; r <= 2; r++) {
      RoundReport report = first.expectMessageClass(RoundReport.class);
      assertEquals(r, report.round());
      assertEquals(r, files.readLatest().round(), "a round is reported only after its checkpoint is written");
    }
    first.expectMessageClass(TrainingFinished.class);
    testKit.stop(c1);

    Checkpoint saved = files.readLatest();
    assertNotNull(saved);
    assertEquals(2, saved.completedRounds());
    assertEquals(2, saved.reports().size());
    assertEquals("all 2 rounds done", saved.finished(), "the end is checkpointed before it is announced");
    Checkpoint resumeFrom = new Checkpoint(saved.runArgs(), saved.round(), saved.completedRounds(),
        saved.consecutiveFailures(), saved.lastLoss(), saved.lastAccuracy(), saved.global(), saved.optimizer(),
        saved.accountant(), saved.clipping(), saved.reports(), null, null); // as if it died before finishing
    TestProbe<Coordinator.Event> second = testKit.createTestProbe();
    testKit.spawn(Coordinator.create(settings(4), INITIAL, Strategies.create("fedavgm", StrategyOptions.defaults()),
        null, second.ref(), new Coordinator.Persistence(resumeFrom, store, saved.runArgs())), "c2");
    for (int r = 3; r <= 4; r++) {
      assertEquals(r, second.expectMessageClass(RoundReport.class).round());
    }
    TrainingFinished finished = second.expectMessageClass(TrainingFinished.class);
    assertEquals(4, finished.completedRounds());

    assertEquals(4, files.readLatest().reports().size(), "the metrics of all four rounds are in the checkpoint");

    // The uninterrupted reference run in a fresh system (nodes refuse rounds they already
    // trained), same strategy: server momentum is state that must come with the checkpoint.
    ActorTestKit fresh = ActorTestKit.create("CheckpointReference", Fixtures.testConfig());
    try {
      Fixtures.spawnNode(fresh, "node-1", 1, new float[] {4f, 0f, 0f, 0f}, FakeEngine.Hook.NONE, null);
      Fixtures.spawnNode(fresh, "node-2", 1, new float[] {0f, 4f, 0f, 0f}, FakeEngine.Hook.NONE, null);
      Fixtures.spawnNode(fresh, "node-3", 2, new float[] {0f, 0f, 2f, -2f}, FakeEngine.Hook.NONE, null);
      TestProbe<Coordinator.Event> reference = fresh.createTestProbe();
      fresh.spawn(Coordinator.create(settings(4), INITIAL, Strategies.create("fedavgm", StrategyOptions.defaults()),
          null, reference.ref()), "reference");
      for (int r = 1; r <= 4; r++) {
        assertEquals(r, reference.expectMessageClass(RoundReport.class).round());
      }
      TrainingFinished uninterrupted = reference.expectMessageClass(TrainingFinished.class);
      assertEquals(uninterrupted.finalModel(), finished.finalModel(), "the optimizer state came with the checkpoint");
    } finally {
      fresh.shutdownTestKit();
    }
  }

  /** 250,000 parameters, NaNs among them: a 1 MB file, far over the inline limit and a frame. */
  static ModelWeights bigWeights() {
    float[] values = new float[250_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 7 == 0 ? Float.NaN : (float) Math.sin(i);
    }
    var layout = new io.flock.models.weights.ModelLayout(List.of(io.flock.models.weights.ParamSpec.of("w", 250_000)));
    return ModelWeights.of(layout, values);
  }

  static Checkpoint checkpoint(long round, ModelWeights global) {
    var optimizer = Strategies.create("fedavg", StrategyOptions.defaults()).newServerOptimizer().snapshot();
    return new Checkpoint(List.of("--rounds", "5"), round, (int) round, 0, 0.5, Double.NaN, global, optimizer,
        null, null, List.of(), null, null);
  }

}
