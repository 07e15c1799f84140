package io.flock.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.NodeData;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Engine work of one JVM runs one piece at a time: training, evaluation and initialization. */
class EngineLockTest {

  @Test
  void evaluationAndTrainingWaitWhileOtherEngineWorkRuns() throws Exception {
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    int n = 20;
    float[] x = new float[n * spec.sampleSize()];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % spec.numClasses();
      x[i * spec.sampleSize() + y[i]] = 1f;
    }
    LabeledDataset data = new LabeledDataset("one-hot", x, y, spec.sampleSize(), spec.numClasses());
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    ModelWeights global = ModelInitializer.initialWeights(spec, 1);
    try (ModelEvaluator evaluator = new ModelEvaluator(spec, Device.cpu());
        LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      for (Runnable work : new Runnable[] {
          () -> evaluator.evaluate(global, data),
          () -> trainer.train(global, new TrainConfig(1, 10, 0.1, 0, 0, 0, 0), new NodeData(data, all), 1)}) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EngineLock.exclusive(() -> {
          Thread other = new Thread(() -> {
            work.run();
            done.complete(null);
          });
          other.start();
          // Bounded wait until the other thread queues on the lock; it cannot finish before we leave.
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!EngineLock.hasWaiters() && !done.isDone() && System.nanoTime() < end) {
            Thread.onSpinWait();
          }
          assertTrue(EngineLock.hasWaiters(), "the other engine work waits for the lock");
          assertFalse(done.isDone(), "and has not run");
          return null;
        });
        done.get(60, TimeUnit.SECONDS);
        assertTrue(done.isDone());
      }
      assertEquals(n, evaluator.evaluate(global, data).samples());
    }
  }
}
