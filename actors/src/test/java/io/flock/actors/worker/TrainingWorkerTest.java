package io.flock.actors.worker;

import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.nodeData;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.testing.FakeEngine;
import io.flock.actors.testing.Fixtures;
import io.flock.models.data.NodeData;
import io.flock.models.training.LocalUpdate;
import io.flock.models.training.TrainConfig;
import io.flock.models.training.TrainingEngine;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * A training worker with a {@link FakeEngine}: replies, failures, restart by supervision with a
 * fresh engine, and no lost work.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one ActorTestKit for the class, shut down after
class TrainingWorkerTest {

  @JUnit5TestKit
  final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(Fixtures.testConfig()).build();

  /** Short backoff: the restart's delay is not under test, only that it happens. */
  private static final Duration MIN_BACKOFF = Duration.ofMillis(5);

  private static final Duration MAX_BACKOFF = Duration.ofMillis(50);

  private static final ModelWeights GLOBAL = weights(1f, 2f, 3f, 4f);
  private static final float[] DELTA = {0.5f, -0.25f, 0f, 1f};
  private static final NodeData DATA = nodeData(5);

  private static final long FAILING_SEED = 13;

  @Test
  void workerRepliesWithTheLocallyTrainedModel() {
    FakeEngine.Factory engines = new FakeEngine.Factory(DELTA, 0.75, FakeEngine.Hook.NONE);
    ActorRef<TrainingWorker.Command> worker =
        testKit.spawn(TrainingWorker.supervised(engines, MIN_BACKOFF, MAX_BACKOFF));
    TestProbe<TrainingWorker.Result> requester = testKit.createTestProbe();

    worker.tell(new TrainingWorker.Train("t1", GLOBAL, TRAIN, DATA, 1, requester.ref()));

    TrainingWorker.TrainSucceeded ok =
        requester.expectMessageClass(TrainingWorker.TrainSucceeded.class);
    assertEquals("t1", ok.taskId());
    assertEquals(weights(1.5f, 1.75f, 3f, 5f), ok.update().weights());
    assertEquals(5, ok.update().numSamples());
    assertEquals(0.75, ok.update().meanLoss());
    assertEquals(1, ok.update().steps(), "5 samples in batches of 8, 1 epoch");
    assertEquals(1, engines.created(), "the engine is created on first use");
    testKit.stop(worker);
    assertEquals(1, engines.closed(), "the engine is closed when the worker stops");
  }

  @Test
  void divergingTaskIsReportedWithoutRestartingTheWorker() {
    FakeEngine.Factory engines =
        new FakeEngine.Factory(
            DELTA,
            0.5,
            seed -> {
              if (seed == FAILING_SEED) {
                throw new ArithmeticException("training loss became NaN at epoch 0, step 0");
              }
            });
    ActorRef<TrainingWorker.Command> worker =
        testKit.spawn(TrainingWorker.supervised(engines, MIN_BACKOFF, MAX_BACKOFF));
    TestProbe<TrainingWorker.Result> requester = testKit.createTestProbe();

    worker.tell(train("diverging", FAILING_SEED, requester));
    TrainingWorker.TrainFailed failed = requester.expectMessageClass(TrainingWorker.TrainFailed.class);
    assertEquals("ArithmeticException: training loss became NaN at epoch 0, step 0", failed.reason());
    worker.tell(train("next", 2, requester));
    assertEquals("next", requester.expectMessageClass(TrainingWorker.TrainSucceeded.class).taskId());
    assertEquals(1, engines.created(), "the input was at fault, not the engine: no restart");
    assertEquals(0, engines.closed());
  }

  @Test
  void failedTaskIsReportedTheWorkerRestartsWithAFreshEngineAndQueuedTasksAreNotLost()
      throws InterruptedException {
    CountDownLatch failingTaskRuns = new CountDownLatch(1);
    CountDownLatch letItFail = new CountDownLatch(1);
    FakeEngine.Factory engines =
        new FakeEngine.Factory(
            DELTA,
            0.5,
            seed -> {
              if (seed == FAILING_SEED) {
                failingTaskRuns.countDown();
                await(letItFail);
                throw new IllegalStateException("loss diverged on seed " + seed);
              }
            });
    ActorRef<TrainingWorker.Command> worker =
        testKit.spawn(TrainingWorker.supervised(engines, MIN_BACKOFF, MAX_BACKOFF));
    TestProbe<TrainingWorker.Result> requester = testKit.createTestProbe();

    worker.tell(train("before", 1, requester));
    assertEquals(
        "before", requester.expectMessageClass(TrainingWorker.TrainSucceeded.class).taskId());

    worker.tell(train("failing", FAILING_SEED, requester));
    assertTrue(failingTaskRuns.await(5, TimeUnit.SECONDS), "the failing task started");
    // Sent while the failing task runs: the worker stashes them (or they wait in its mailbox).
    worker.tell(train("queued-1", 2, requester));
    worker.tell(train("queued-2", 3, requester));
    letItFail.countDown();

    TrainingWorker.TrainFailed failed =
        requester.expectMessageClass(TrainingWorker.TrainFailed.class);
    assertEquals("failing", failed.taskId());
    assertEquals("IllegalStateException: loss diverged on seed 13", failed.reason());

    Set<String> afterRestart = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      afterRestart.add(requester.expectMessageClass(TrainingWorker.TrainSucceeded.class).taskId());
    }
    assertEquals(Set.of("queued-1", "queued-2"), afterRestart, "no queued task is lost");
    assertEquals(2, engines.created(), "the restarted worker built a fresh engine");
    assertEquals(1, engines.closed(), "the failed engine was closed on restart");

    worker.tell(train("after", 4, requester));
    assertEquals(
        "after", requester.expectMessageClass(TrainingWorker.TrainSucceeded.class).taskId());
    assertEquals(2, engines.created(), "the fresh engine is reused");
    testKit.stop(worker);
    assertEquals(2, engines.closed());
  }

  @Test
  void unsupervisedWorkerStopsAfterAFailedTask() {
    FakeEngine.Factory engines =
        new FakeEngine.Factory(
            DELTA,
            0.5,
            seed -> {
              throw new IllegalStateException("no device");
            });
    ActorRef<TrainingWorker.Command> worker = testKit.spawn(TrainingWorker.create(engines));
    TestProbe<TrainingWorker.Result> requester = testKit.createTestProbe();

    worker.tell(train("t", 1, requester));

    TrainingWorker.TrainFailed failed =
        requester.expectMessageClass(TrainingWorker.TrainFailed.class);
    assertEquals("IllegalStateException: no device", failed.reason());
    requester.expectTerminated(worker);
    assertEquals(1, engines.closed(), "a stopped worker closes its engine");
  }

  @Test
  void engineCreatedWhileTheWorkerStopsIsStillClosed() throws InterruptedException {
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch letCreate = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    FakeEngine.Factory engines = new FakeEngine.Factory(DELTA, 0.5, FakeEngine.Hook.NONE);
    Supplier<TrainingEngine> slowFactory =
        () -> {
          creating.countDown();
          await(letCreate);
          TrainingEngine engine = engines.get();
          return new TrainingEngine() {
            @Override
            public LocalUpdate train(
                ModelWeights global, TrainConfig config, NodeData data, long seed) {
              return engine.train(global, config, data, seed);
            }

            @Override
            public void close() {
              engine.close();
              closed.countDown();
            }
          };
        };
    ActorRef<TrainingWorker.Command> worker = testKit.spawn(TrainingWorker.create(slowFactory));
    TestProbe<TrainingWorker.Result> requester = testKit.createTestProbe();

    worker.tell(train("first", 1, requester));
    assertTrue(creating.await(5, TimeUnit.SECONDS), "the first task is creating the engine");
    testKit.stop(worker);
    letCreate.countDown();

    assertTrue(closed.await(5, TimeUnit.SECONDS), "the engine must be closed once it exists");
    assertEquals(1, engines.created());
  }

  private static TrainingWorker.Train train(
      String taskId, long seed, TestProbe<TrainingWorker.Result> requester) {
    return new TrainingWorker.Train(taskId, GLOBAL, TRAIN, DATA, seed, requester.ref());
  }

  /** Blocks the training thread (not an actor) until the test releases it. */
  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the task");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
