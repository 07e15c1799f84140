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
      LocalUpdate up = trainer.train(init, new TrainConfig(2, 10, 0.05, 0, 0, 0, 0), new NodeData(data, range(200)), 9);
      assertEquals(200, up.numSamples());
      assertEquals(40, up.steps());
      EvalResult after = eval.evaluate(up.weights(), data);
      assertTrue(after.loss() < before.loss() / 2, before + " -> " + after);
      assertTrue(after.accuracy() > 0.95, "accuracy " + after.accuracy());
      // Same seed, same data, same start: bit-identical result.
      LocalUpdate again = trainer.train(init, new TrainConfig(2, 10, 0.05, 0, 0, 0, 0), new NodeData(data, range(200)), 9);
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
              () -> trainer.train(logistic, new TrainConfig(1, 10, 0.05, 0, 0, 0, 0), new NodeData(data, range(20)), 1));
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
                  new TrainConfig(5, 10, 1e30, 0, 0, 0, 0), new NodeData(data, range(40)), 1));
      assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    }
  }

  static double distance(ModelWeights a, ModelWeights b) {
    ModelWeights d = a.minus(b);
    double s = 0;
    for (int i = 0; i < d.size(); i++) {
      s += (double) d.get(i) * d.get(i);
    }
    return Math.sqrt(s);
  }

  @Test
  void maxStepsStopsEarlyAndKeepsTheFullSampleCount() {
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    LabeledDataset data = blobs(100, 3);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      TrainConfig partial = new TrainConfig(3, 10, 0.05, 0, 0, 7, 0); // 30 steps of work, 7 allowed
      LocalUpdate up =
          trainer.train(ModelInitializer.initialWeights(spec, 1), partial, new NodeData(data, range(100)), 4);
      assertEquals(7, up.steps());
      assertEquals(100, up.numSamples()); // FedProx weights partial work by n_k as usual
    }
  }

  @Test
  void proximalTermAddsMuTimesTheDistanceToTheGlobalToTheGradient() {
    // Li et al. 2020, Eq. 2: grad h_k(w) = grad F_k(w) + mu (w - w_t). The first SGD step starts at
    // w_t, where the term vanishes, so w_1 is the same with and without it; the second step then
    // differs by exactly -lr * mu * (w_1 - w_t), since grad F_k(w_1) is the same in both runs.
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    LabeledDataset data = blobs(100, 3);
    NodeData all = new NodeData(data, range(100));
    ModelWeights global = ModelInitializer.initialWeights(spec, 1);
    double lr = 0.05;
    double mu = 10;
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      ModelWeights w1 = trainer.train(global, new TrainConfig(1, 10, lr, 0, 0, 1, 0), all, 4).weights();
      ModelWeights w1Prox = trainer.train(global, new TrainConfig(1, 10, lr, 0, mu, 1, 0), all, 4).weights();
      assertEquals(w1, w1Prox);
      ModelWeights w2 = trainer.train(global, new TrainConfig(1, 10, lr, 0, 0, 2, 0), all, 4).weights();
      ModelWeights w2Prox = trainer.train(global, new TrainConfig(1, 10, lr, 0, mu, 2, 0), all, 4).weights();
      ModelWeights expected = w2.plusScaled(w1.minus(global), -lr * mu);
      assertTrue(distance(w2Prox, w2) > 1e-3, "the term must matter here: " + distance(w2Prox, w2));
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), w2Prox.get(i), 1e-5, "parameter " + i);
      }
    }
  }

  @Test
  void proximalTermKeepsTheTrainedModelCloserToTheGlobalOne() {
    ModelSpec spec = ModelZoo.get(ModelZoo.MLP_2NN);
    LabeledDataset data = blobs(200, 3);
    NodeData all = new NodeData(data, range(200));
    ModelWeights global = ModelInitializer.initialWeights(spec, 1);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu());
        ModelEvaluator eval = new ModelEvaluator(spec, Device.cpu())) {
      ModelWeights plain = trainer.train(global, new TrainConfig(2, 10, 0.05, 0, 0, 0, 0), all, 9).weights();
      ModelWeights prox = trainer.train(global, new TrainConfig(2, 10, 0.05, 0, 1.0, 0, 0), all, 9).weights();
      double dPlain = distance(plain, global);
      double dProx = distance(prox, global);
      assertTrue(dProx < 0.9 * dPlain, "||w - w_g||: mu = 1 gives " + dProx + ", mu = 0 gives " + dPlain);
      assertTrue(eval.evaluate(prox, data).accuracy() > 0.95, "FedProx still learns the blobs");
    }
  }

  @Test
  void batchesWithZeroGradientTrainWithoutErrorAndLeaveTheModelUnchanged() {
    // All samples are class 0 with zero features, and the bias of class 0 is 1000: the softmax
    // is saturated, the cross-entropy gradient is exactly zero. DJL's Trainer.step() refuses a
    // first step like that; local training must not.
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    ModelWeights init = ModelInitializer.initialWeights(spec, 1);
    float[] w = new float[init.size()];
    w[w.length - 10] = 1000f; // bias of class 0: the last tensor, 10 values
    ModelWeights saturated = ModelWeights.of(init.layout(), w);
    LabeledDataset zeros = new LabeledDataset("zeros", new float[20 * 784], new int[20], 784, 10);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      LocalUpdate up = trainer.train(saturated, new TrainConfig(1, 10, 0.1, 0, 0, 0, 0),
          new NodeData(zeros, range(20)), 1);
      assertEquals(2, up.steps());
      assertEquals(saturated, up.weights());
      assertEquals(0.0, up.meanLoss(), 1e-6);
    }
  }

  @Test
  void cnnHasTheParameterCountOfMcMahanEtAlAndTrainsOnFlatImages() {
    ModelSpec spec = ModelZoo.get(ModelZoo.CNN);
    ModelWeights init = ModelInitializer.initialWeights(spec, 1);
    // 5*5*1*32+32 + 5*5*32*64+64 + 7*7*64*512+512 + 512*10+10 (McMahan et al. 2017, Sec. 3)
    assertEquals(1_663_370, init.size());
    LabeledDataset data = blobs(20, 3); // 784 features each: reshaped to 1x28x28 by the spec
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      LocalUpdate up = trainer.train(init, new TrainConfig(1, 10, 0.01, 0, 0, 0, 0), new NodeData(data, range(20)), 1);
      assertEquals(2, up.steps());
      assertTrue(Double.isFinite(up.meanLoss()));
      assertTrue(!up.weights().equals(init), "an SGD step moved the weights");
    }
  }

  @Test
  void nativeArraysStayFlatOverAThousandTrainingTasks() {
    // A leaked NDArray per step or per task would pile up on the model's manager: 1,000 tasks
    // (2,000 SGD steps, FedProx term on, so its anchor arrays are exercised too) must end with as
    // many live arrays as after the first hundred.
    ModelSpec spec = ModelZoo.get(ModelZoo.LOGISTIC);
    ModelWeights init = ModelInitializer.initialWeights(spec, 1);
    NodeData local = new NodeData(blobs(20, 5), range(20));
    TrainConfig config = new TrainConfig(1, 10, 0.05, 0, 0.1, 0, 0);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu())) {
      for (int task = 0; task < 100; task++) {
        trainer.train(init, config, local, task);
      }
      int after100 = trainer.liveArrays();
      for (int task = 100; task < 1_000; task++) {
        trainer.train(init, config, local, task);
      }
      assertEquals(after100, trainer.liveArrays(), "live native arrays after 100 vs 1,000 tasks");
    }
  }

  @Test
  void resNet18TrainsOnGreyImagesWithFedProxAndMovesItsBnRunningStats() {
    // 784 features -> the small-image ResNet-18 for 1x28x28; FedProx on, two steps so that the
    // proximal term is non-zero at the second (it must skip the gradient-free running stats).
    ModelSpec spec = ModelZoo.get(ModelZoo.RESNET18, 784, 10);
    ModelWeights init = ModelInitializer.initialWeights(spec, 1);
    LabeledDataset data = blobs(8, 3);
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu());
        ModelEvaluator eval = new ModelEvaluator(spec, Device.cpu())) {
      LocalUpdate up = trainer.train(init, new TrainConfig(1, 4, 0.01, 0, 0.1, 0, 0),
          new NodeData(data, range(8)), 1);
      assertEquals(2, up.steps());
      assertTrue(Double.isFinite(up.meanLoss()), "loss " + up.meanLoss());
      assertEquals(-1, up.weights().firstNonFinite());
      int offset = 0;
      boolean statsMoved = false;
      for (io.flock.models.weights.ParamSpec p : init.layout().params()) {
        if (p.name().endsWith("runningMean")) {
          statsMoved |= up.weights().get(offset) != init.get(offset);
        }
        offset += (int) p.size();
      }
      assertTrue(statsMoved, "BN running means travel in the update");
      assertTrue(Double.isFinite(eval.evaluate(up.weights(), data).loss()));
    }
  }

  @Test
  void aClassifierRefusesTokenDataAndATokenModelRefusesFeaturesWithTheReason() {
    LabeledDataset text = LabeledDataset.ofTokens("text", new int[129 * 2], new int[2], 129, 1, 256);
    try (LocalTrainer mlp = new LocalTrainer(ModelZoo.get(ModelZoo.MLP_2NN), Device.cpu());
        LocalTrainer lm = new LocalTrainer(ModelZoo.get(ModelZoo.CHAR_LM), Device.cpu())) {
      ModelWeights mlpW = ModelInitializer.initialWeights(mlp.spec(), 1);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> mlp.train(mlpW, new TrainConfig(1, 10, 0.1, 0, 0, 0, 0), new NodeData(text, range(2)), 1));
      assertTrue(e.getMessage().contains("mlp-2nn classifies float features; text holds token windows"),
          e.getMessage());
      ModelWeights lmW = ModelInitializer.initialWeights(lm.spec(), 1);
      IllegalArgumentException z = assertThrows(IllegalArgumentException.class,
          () -> lm.train(lmW, new TrainConfig(1, 10, 0.1, 0, 0, 0, 0), new NodeData(blobs(4, 1), range(4)), 1));
      assertTrue(z.getMessage().contains("char-lm is a LANGUAGE_MODEL model over token ids; blobs holds float"
          + " features"), z.getMessage());
    }
  }
}
