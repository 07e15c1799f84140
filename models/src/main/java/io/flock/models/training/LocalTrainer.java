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
import io.flock.models.data.Batch;
import io.flock.models.data.DataLoader;
import io.flock.models.data.NodeData;
import io.flock.models.data.SampleTransform;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import io.flock.models.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Local SGD on one node's data with DJL, for every task of the zoo (classifiers, causal and
 * masked language models): the ClientUpdate of FedAvg (McMahan et al. 2017,
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
  private final DataSettings settings;
  private ModelEvaluator evaluator;

  /**
   * A trainer for {@code spec} on {@code device} with inline batches and no augmentation; the
   * model is built and initialized here.
   */
  public LocalTrainer(ModelSpec spec, Device device) {
    this(spec, device, DataSettings.DEFAULT);
  }

  /** A trainer whose data loader uses {@code settings} (workers, prefetch, augmentation). */
  public LocalTrainer(ModelSpec spec, Device device, DataSettings settings) {
    this.spec = spec;
    this.settings = settings;
    this.loss = Losses.forTask(spec.task());
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
   * minibatch SGD. A {@link DataLoader} seeded with {@code seed} shuffles the local samples each
   * epoch and builds the batches: class labels for a classifier, next-token targets over each
   * window for a language model, BERT's 15% masking for a masked LM ({@link TaskData}). With
   * {@code config.mu() > 0} it minimises the FedProx objective {@code F_k(w) + (mu / 2) ||w -
   * global||^2} (Li et al. 2020); with {@code config.maxSteps() > 0} it stops after that many
   * steps and returns the partial result, still weighted by all {@code data.size()} samples.
   *
   * @throws IllegalArgumentException when the weights do not fit this model or the data does not
   *     fit its input (feature size, token window, vocabulary)
   * @throws ArithmeticException when the training loss becomes NaN or infinite
   */
  @Override
  public LocalUpdate train(ModelWeights global, TrainConfig config, NodeData data, long seed) {
    SampleTransform transform = TaskData.trainingTransform(spec, data.dataset(), settings);
    Optimizer sgd =
        Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
    DefaultTrainingConfig tc =
        new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(new Device[] {device});
    int n = data.size();
    int batch = Math.min(config.batchSize(), n);
    DataLoader.Options options = DataLoader.Options.shuffled(batch)
        .withWorkers(settings.numWorkers(), settings.prefetchFactor());
    double lossSum = 0;
    int steps = 0;
    try (Trainer trainer = model.newTrainer(tc);
        NDManager anchorManager = trainer.getManager().newSubManager();
        DataLoader loader = new DataLoader(data, options, transform, seed)) {
      trainer.initialize(spec.batchShape(batch));
      BlockWeights.write(model.getBlock(), global);
      // w_t, the anchor of the FedProx proximal term, one constant array per parameter.
      List<NDArray> anchor = config.mu() > 0 ? parameterArrays(global, anchorManager) : List.of();
      epochs:
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        loader.reset();
        while (loader.hasMore()) {
          if (config.maxSteps() > 0 && steps >= config.maxSteps()) {
            break epochs; // partial work: the update so far is sent like a full one
          }
          float stepLoss = step(trainer, sgd, loader.nextBatch(), config.mu(), anchor);
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
  private float step(Trainer trainer, Optimizer optimizer, Batch batch, double mu, List<NDArray> anchor) {
    // A sub-manager per step frees the batch's native memory at once.
    try (NDManager step = trainer.getManager().newSubManager()) {
      NDList inputs = new NDList(TaskData.inputs(step, spec, batch));
      NDList labels = new NDList(TaskData.targets(step, batch));
      float value;
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDList preds = trainer.forward(inputs);
        NDArray l = loss.evaluate(labels, preds);
        value = l.getFloat();
        gc.backward(l);
      }
      applyGradients(optimizer, (float) mu, anchor);
      return value;
    }
  }

  /**
   * The optimizer step on every trainable parameter, in one pass: with {@code mu > 0} the FedProx
   * pull {@code mu (w - w_t)} is added to the parameter's gradient first. This is what {@code
   * Trainer.step()} does on one device, minus its one-time check that refuses a first step whose
   * gradients are all zero: a batch the model already classifies with probability 1 (saturated
   * softmax, common on FedProx's Synthetic data) legitimately has zero gradients, and SGD then
   * simply does not move.
   */
  private void applyGradients(Optimizer optimizer, float mu, List<NDArray> anchor) {
    int k = 0;
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      Parameter param = p.getValue();
      int index = k++;
      if (!param.requiresGradient()) {
        continue; // BN running statistics: no gradient, no proximal term, no update
      }
      NDArray w = param.getArray();
      // getGradient() and sub() return new native handles on the model's manager: close them
      // here, or they would pile up until the model closes. The gradient storage itself stays.
      try (NDArray grad = w.getGradient()) {
        if (mu > 0) {
          try (NDArray pull = w.sub(anchor.get(index))) {
            grad.addi(pull.muli(mu));
          }
        }
        optimizer.update(param.getId(), w, grad);
      }
    }
  }

  /** {@code weights} as one constant array per parameter, in {@code getParameters()} order. */
  private List<NDArray> parameterArrays(ModelWeights weights, NDManager manager) {
    List<NDArray> arrays = new ArrayList<>();
    int offset = 0;
    for (ParamSpec p : weights.layout().params()) {
      int size = Math.toIntExact(p.size());
      arrays.add(manager.create(weights.view(offset, size), new Shape(p.shapeArray())));
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
