package io.flock.models.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.flock.models.data.NodeData;
import io.flock.models.data.Partitioner;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import io.flock.models.zoo.ModelSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Local SGD on one node's data with DJL: the ClientUpdate of FedAvg (McMahan et al. 2017,
 * Algorithm 1), or of FedProx (Li et al. 2020, Algorithm 2) when the config sets {@code mu}. Owns
 * one DJL {@link Model} on one device for its whole life; each call loads the global weights into
 * it, trains, and returns the result as {@link ModelWeights}.
 *
 * <p>Not thread-safe: one owner (a training worker) calls it, one task at a time. DJL 0.36 allows
 * one open gradient collector per JVM, so a JVM trains one task at a time anyway.
 */
public final class LocalTrainer implements TrainingEngine {

  private final ModelSpec spec;
  private final Model model;
  private final Device device;
  private final Loss loss;
  private ModelEvaluator evaluator;

  /**
   * A trainer for {@code spec} on {@code device}; the model is built and initialized here.
   *
   * @throws IllegalArgumentException when {@code spec} is not a classifier: local training reads
   *     labelled feature data sets, and token models have none yet
   */
  public LocalTrainer(ModelSpec spec, Device device) {
    requireClassifier(spec);
    this.spec = spec;
    this.loss = Losses.forTask(spec.task());
    this.device = device;
    this.model = Model.newInstance(spec.name(), device);
    Block block = spec.newBlock();
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, spec.batchShape(1));
  }

  /** Local training and evaluation read {@code LabeledDataset}s: features and one class label. */
  static void requireClassifier(ModelSpec spec) {
    if (spec.task() != ModelSpec.Task.CLASSIFICATION) {
      throw new IllegalArgumentException(
          spec.name() + " is a " + spec.task() + " model over token ids; local training and"
              + " evaluation take classifiers of labelled feature data (mlp-2nn, logistic, cnn,"
              + " resnet18)");
    }
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
   * With {@code config.mu() > 0} it minimises the FedProx objective {@code F_k(w) + (mu / 2) ||w -
   * global||^2} (Li et al. 2020); with {@code config.maxSteps() > 0} it stops after that many
   * steps and returns the partial result, still weighted by all {@code data.size()} samples.
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
    try (Trainer trainer = model.newTrainer(tc);
        NDManager anchorManager = trainer.getManager().newSubManager()) {
      trainer.initialize(spec.batchShape(batch));
      BlockWeights.write(model.getBlock(), global);
      // w_t, the anchor of the FedProx proximal term, one constant array per parameter.
      List<NDArray> anchor = config.mu() > 0 ? parameterArrays(global, anchorManager) : List.of();
      epochs:
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        int[] order = Partitioner.permutation(n, random);
        for (int start = 0; start < n; start += batch) {
          if (config.maxSteps() > 0 && steps >= config.maxSteps()) {
            break epochs; // partial work: the update so far is sent like a full one
          }
          int size = Math.min(batch, n - start);
          for (int k = 0; k < size; k++) {
            int idx = data.index(order[start + k]);
            data.dataset().copyFeatures(idx, x, k * dim);
            y[k] = data.dataset().label(idx);
          }
          float stepLoss = step(trainer, sgd, x, y, size, dim, config.mu(), anchor);
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

  /**
   * One minibatch step. With {@code mu > 0} the FedProx gradient {@code mu (w - w_t)} of the
   * proximal term {@code (mu / 2) ||w - w_t||^2} (Li et al. 2020, Eq. 2) is added to each
   * parameter's data gradient after backward and before the optimizer reads it, so SGD descends
   * on {@code h_k}; the returned loss is the data loss {@code F_k} alone.
   */
  private float step(
      Trainer trainer, Optimizer optimizer, float[] x, float[] y, int size, int dim, double mu,
      List<NDArray> anchor) {
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
      if (mu > 0) {
        addProximalGradient((float) mu, anchor);
      }
      applyGradients(optimizer);
      return value;
    }
  }

  /**
   * The optimizer step on every trainable parameter: what {@code Trainer.step()} does on one
   * device, minus its one-time check that refuses a first step whose gradients are all zero. A
   * batch the model already classifies with probability 1 (saturated softmax, common on
   * FedProx's Synthetic data) legitimately has zero gradients; SGD then simply does not move.
   */
  private void applyGradients(Optimizer optimizer) {
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      Parameter param = p.getValue();
      if (!param.requiresGradient()) {
        continue;
      }
      NDArray w = param.getArray();
      try (NDArray grad = w.getGradient()) {
        optimizer.update(param.getId(), w, grad);
      }
    }
  }

  private void addProximalGradient(float mu, List<NDArray> anchor) {
    int k = 0;
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      NDArray target = anchor.get(k++);
      if (!p.getValue().requiresGradient()) {
        continue; // BN running statistics: no gradient, no proximal term
      }
      NDArray w = p.getValue().getArray();
      // getGradient() and sub() return new native handles on the model's manager: close them
      // here, or they would pile up until the model closes. The gradient storage itself stays.
      try (NDArray grad = w.getGradient();
          NDArray pull = w.sub(target)) {
        grad.addi(pull.muli(mu));
      }
    }
  }

  /** {@code weights} as one constant array per parameter, in {@code getParameters()} order. */
  private List<NDArray> parameterArrays(ModelWeights weights, NDManager manager) {
    float[] flat = weights.toArray();
    List<NDArray> arrays = new ArrayList<>();
    int offset = 0;
    for (ParamSpec p : weights.layout().params()) {
      int size = Math.toIntExact(p.size());
      arrays.add(manager.create(FloatBuffer.wrap(flat, offset, size), new Shape(p.shapeArray())));
      offset += size;
    }
    return arrays;
  }

  /**
   * Native arrays this trainer's model manager holds right now, sub-managers included: constant
   * between tasks when nothing leaks (parameters, gradients, optimizer state).
   */
  public int liveArrays() {
    return model.getNDManager().getManagedArrays().size();
  }

  /** Inference only, on a second model of the same architecture (created on first use). */
  @Override
  public EvalResult evaluate(ModelWeights weights, NodeData data) {
    if (evaluator == null) {
      evaluator = new ModelEvaluator(spec, device);
    }
    return evaluator.evaluate(weights, data);
  }

  @Override
  public void close() {
    if (evaluator != null) {
      evaluator.close();
    }
    model.close();
  }
}
