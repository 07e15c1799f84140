package io.flock.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.NodeData;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Real DJL training on CPU on a small synthetic, linearly separable problem. */
class LocalTrainerTest {

  /** Two Gaussian blobs in 784 dimensions, labels 0 and 1 (out of 10 classes). */
  static LabeledDataset blobs(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 784];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int j = 0; j < 784; j++) {
        x[i * 784 + j] = (float) (r.nextGaussian() * 0.3 + (y[i] == 1 && j < 20 ? 1.0 : 0.0));
      }
    }
    return new LabeledDataset("blobs", x, y, 784, 10);
  }

  static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  @Test
  void twoNNHasTheParameterCountOfMcMahanEtAl() {
    ModelWeights w = ModelInitializer.initialWeights(ModelZoo.get(ModelZoo.MLP_2NN), 1);
    // 784*200+200 + 200*200+200 + 200*10+10 (McMahan et al. 2017, Sec. 3: 199,210)
    assertEquals(199_210, w.size());
    assertEquals(6, w.layout().params().size());
  }

  @Test
  void initialWeightsAreReproducibleFromTheSeed() {
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    assertEquals(ModelInitializer.initialWeights(spec, 5), ModelInitializer.initialWeights(spec, 5));
    assertNotEquals(ModelInitializer.initialWeights(spec, 5), ModelInitializer.initialWeights(spec, 6));
  }

  @Test
  void localSgdLowersTheLossAndEvaluationSeesTheImprovement() {
    ModelSpec spec = ModelZoo.get(ModelZoo.MLP_2NN);
    LabeledDataset data = blobs(200, 3);
    ModelWeights init = ModelInitializer.initialWeights(spec, 1);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu());
        ModelEvaluator eval = new ModelEvaluator(spec, Device.cpu())) {
      EvalResult before = eval.evaluate(init, data);
      LocalUpdate up = trainer.train(init, new TrainConfig(2, 10, 0.05, 0), new NodeData(data, range(200)), 9);
      assertEquals(200, up.numSamples());
      assertEquals(40, up.steps());
      EvalResult after = eval.evaluate(up.weights(), data);
      assertTrue(after.loss() < before.loss() / 2, before + " -> " + after);
      assertTrue(after.accuracy() > 0.95, "accuracy " + after.accuracy());
      // Same seed, same data, same start: bit-identical result.
      LocalUpdate again = trainer.train(init, new TrainConfig(2, 10, 0.05, 0), new NodeData(data, range(200)), 9);
      assertEquals(up.weights(), again.weights());
    }
  }

  @Test
  void weightsOfAnotherModelAreRejectedBeforeTraining() {
    ModelWeights logistic = ModelInitializer.initialWeights(ModelZoo.get(ModelZoo.LOGISTIC), 1);
    LabeledDataset data = blobs(20, 3);
    try (LocalTrainer trainer = new LocalTrainer(ModelZoo.get(ModelZoo.MLP_2NN), Device.cpu())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> trainer.train(logistic, new TrainConfig(1, 10, 0.05, 0), new NodeData(data, range(20)), 1));
      assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }
  }

  @Test
  void divergingTrainingFailsWithAClearError() {
    LabeledDataset data = blobs(40, 3);
    ModelSpec spec = ModelZoo.get(ModelZoo.MLP_2NN);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      ArithmeticException e =
          assertThrows(
              ArithmeticException.class,
              () -> trainer.train(ModelInitializer.initialWeights(spec, 1),
                  new TrainConfig(5, 10, 1e30, 0), new NodeData(data, range(40)), 1));
      assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    }
  }
}
