package io.flock.models.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import java.util.Random;

/**
 * Local SGD on one node's data with DJL: the ClientUpdate of FedAvg (McMahan et al. 2017,
 * Algorithm 1). Owns one DJL {@link Model} on one device for its whole life; each call loads the
 * global weights into it, trains, and returns the result as {@link ModelWeights}.
 *
 * <p>Not thread-safe: one owner (a training worker) calls it, one task at a time. DJL 0.36 allows
 * one open gradient collector per JVM, so a JVM trains one task at a time anyway.
 */
public final class LocalTrainer implements TrainingEngine {

  private final ModelSpec spec;
  private final Model model;
  private final Device device;
  private final Loss loss = Loss.softmaxCrossEntropyLoss();

  /** A trainer for {@code spec} on {@code device}; the model is built and initialized here. */
  public LocalTrainer(ModelSpec spec, Device device) {
    this.spec = spec;
    this.device = device;
    this.model = Model.newInstance(spec.name(), device);
    Block block = spec.newBlock();
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, spec.batchShape(1));
  }

  public ModelSpec spec() {
    return spec;
  }

  public Device device() {
    return device;
  }

  /**
   * Trains from {@code global} on {@code data} for {@code config.localEpochs()} epochs of
   * minibatch SGD, shuffling the local samples each epoch with a generator seeded by {@code seed}.
   *
   * @throws IllegalArgumentException when the weights do not fit this model or the data's
   *     feature size differs from the model's input
   * @throws ArithmeticException when the training loss becomes NaN or infinite
   */
  @Override
  public LocalUpdate train(ModelWeights global, TrainConfig config, NodeData data, long seed) {
    int dim = data.dataset().featureDim();
    if (dim != spec.sampleSize()) {
      throw new IllegalArgumentException(
          spec.name() + " takes " + spec.sampleSize() + " features per sample, data set "
              + data.dataset().name() + " has " + dim);
    }
    Optimizer sgd =
        Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
    DefaultTrainingConfig tc =
        new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(new Device[] {device});
    Random random = new Random(seed);
    int n = data.size();
    int batch = Math.min(config.batchSize(), n);
    float[] x = new float[batch * dim];
    float[] y = new float[batch];
    double lossSum = 0;
    int steps = 0;
    try (Trainer trainer = model.newTrainer(tc)) {
      trainer.initialize(spec.batchShape(batch));
      BlockWeights.write(model.getBlock(), global);
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        int[] order = Partitioner.permutation(n, random);
        for (int start = 0; start < n; start += batch) {
          int size = Math.min(batch, n - start);
          for (int k = 0; k < size; k++) {
            int idx = data.index(order[start + k]);
            data.dataset().copyFeatures(idx, x, k * dim);
            y[k] = data.dataset().label(idx);
          }
          float stepLoss = step(trainer, x, y, size, dim);
          if (!Float.isFinite(stepLoss)) {
            throw new ArithmeticException(
                "training loss became " + stepLoss + " at epoch " + epoch + ", step " + steps
                    + " (learning rate " + config.learningRate() + " too high?)");
          }
          lossSum += stepLoss;
          steps++;
        }
      }
      ModelWeights trained = BlockWeights.read(model.getBlock());
      return new LocalUpdate(trained, n, lossSum / Math.max(1, steps), steps);
    }
  }

  private float step(Trainer trainer, float[] x, float[] y, int size, int dim) {
    // A sub-manager per step frees the batch's native memory at once.
    try (NDManager step = trainer.getManager().newSubManager()) {
      NDArray features =
          step.create(java.nio.FloatBuffer.wrap(x, 0, size * dim), new Shape(size).addAll(spec.sampleShape()));
      NDArray labels = step.create(java.nio.FloatBuffer.wrap(y, 0, size), new Shape(size));
      float value;
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDList preds = trainer.forward(new NDList(features));
        NDArray l = loss.evaluate(new NDList(labels), preds);
        value = l.getFloat();
        gc.backward(l);
      }
      trainer.step();
      return value;
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
