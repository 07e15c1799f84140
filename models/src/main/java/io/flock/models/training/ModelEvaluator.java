package io.flock.models.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.NodeData;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import java.nio.FloatBuffer;

/**
 * Computes loss and accuracy of model weights on a labelled data set (inference only, no
 * gradient collector, so it may run beside training). Owns one DJL model; one caller at a time.
 */
public final class ModelEvaluator implements AutoCloseable {

  private static final int BATCH = 1000;

  private final ModelSpec spec;
  private final Model model;
  private final Loss loss = Loss.softmaxCrossEntropyLoss();

  /**
   * An evaluator of {@code spec} on {@code device}.
   *
   * @throws IllegalArgumentException when {@code spec} is not a classifier
   */
  public ModelEvaluator(ModelSpec spec, Device device) {
    LocalTrainer.requireClassifier(spec);
    this.spec = spec;
    this.model = Model.newInstance(spec.name() + "-eval", device);
    Block block = spec.newBlock();
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, spec.batchShape(1));
  }

  /** Loss and accuracy of {@code weights} on every sample of {@code data}. */
  public EvalResult evaluate(ModelWeights weights, LabeledDataset data) {
    return evaluate(weights, data, null);
  }

  /** Loss and accuracy of {@code weights} on one node's local (held-out) samples. */
  public EvalResult evaluate(ModelWeights weights, NodeData local) {
    int[] indices = new int[local.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = local.index(i);
    }
    return evaluate(weights, local.dataset(), indices);
  }

  /** Over the samples {@code indices} of {@code data}, or all of them when {@code indices} is null. */
  private EvalResult evaluate(ModelWeights weights, LabeledDataset data, int[] indices) {
    int count = indices == null ? data.size() : indices.length;
    int dim = data.featureDim();
    if (dim != spec.sampleSize()) {
      throw new IllegalArgumentException(
          spec.name() + " takes " + spec.sampleSize() + " features, " + data.name() + " has " + dim);
    }
    Block block = model.getBlock();
    BlockWeights.write(block, weights);
    float[] x = new float[BATCH * dim];
    float[] y = new float[BATCH];
    double lossSum = 0;
    long correct = 0;
    for (int start = 0; start < count; start += BATCH) {
      int size = Math.min(BATCH, count - start);
      for (int k = 0; k < size; k++) {
        int idx = indices == null ? start + k : indices[start + k];
        data.copyFeatures(idx, x, k * dim);
        y[k] = data.label(idx);
      }
      try (NDManager batch = model.getNDManager().newSubManager()) {
        NDArray features =
            batch.create(FloatBuffer.wrap(x, 0, size * dim), new Shape(size).addAll(spec.sampleShape()));
        NDArray labels = batch.create(FloatBuffer.wrap(y, 0, size), new Shape(size));
        NDList preds = block.forward(new ParameterStore(batch, false), new NDList(features), false);
        lossSum += loss.evaluate(new NDList(labels), preds).getFloat() * size;
        correct +=
            preds.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false).eq(labels).sum()
                .toType(DataType.INT64, false).getLong();
      }
    }
    return new EvalResult(lossSum / count, (double) correct / count, count);
  }

  /** An {@link Evaluator} of this model on a fixed held-out data set; owns this evaluator. */
  public Evaluator on(LabeledDataset data) {
    return new Evaluator() {
      @Override
      public EvalResult evaluate(ModelWeights weights) {
        return ModelEvaluator.this.evaluate(weights, data);
      }

      @Override
      public void close() {
        ModelEvaluator.this.close();
      }
    };
  }

  @Override
  public void close() {
    model.close();
  }
}
