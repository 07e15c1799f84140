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
import io.flock.models.data.Batch;
import io.flock.models.data.DataLoader;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.SampleTransform;
import io.flock.models.data.NodeData;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;

/**
 * Computes loss and accuracy of model weights on a data set of any task (see {@link #evaluate}) (inference only, no
 * gradient collector, so it may run beside training). Owns one DJL model; one caller at a time.
 */
public final class ModelEvaluator implements AutoCloseable {

  private static final int BATCH = 1000;

  private final ModelSpec spec;
  private final Model model;
  private final Loss loss;

  /**
   * An evaluator of {@code spec} on {@code device}.
   *
   */
  public ModelEvaluator(ModelSpec spec, Device device) {
    this.spec = spec;
    this.loss = Losses.forTask(spec.task());
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

  /**
   * Over the samples {@code indices} of {@code data}, or all of them when {@code indices} is null.
   * A classifier's loss is the mean cross entropy per sample and its accuracy the share of correct
   * classes; a (masked) language model's loss is the mean cross entropy per predicted token (every
   * position of a causal LM, the masked ones of a masked LM) and its accuracy the share of those
   * tokens predicted exactly (top-1).
   */
  private EvalResult evaluate(ModelWeights weights, LabeledDataset data, int[] indices) {
    int count = indices == null ? data.size() : indices.length;
    if (indices == null) {
      indices = new int[count];
      for (int i = 0; i < count; i++) {
        indices[i] = i;
      }
    }
    SampleTransform transform = TaskData.evaluationTransform(spec, data);
    Block block = model.getBlock();
    BlockWeights.write(block, weights);
    DataLoader.Options options = new DataLoader.Options(batchSize(), false, 0, 1);
    double lossSum = 0;
    long correct = 0;
    long predicted = 0;
    try (DataLoader loader = new DataLoader(data, indices, options, transform, TaskData.EVAL_MASK_SEED)) {
      while (loader.hasMore()) {
        Batch b = loader.nextBatch();
        try (NDManager batch = model.getNDManager().newSubManager()) {
          NDArray labels = TaskData.targets(batch, b);
          NDList preds = block.forward(new ParameterStore(batch, false),
              new NDList(TaskData.inputs(batch, spec, b)), false);
          float mean = loss.evaluate(new NDList(labels), preds).getFloat();
          NDArray guesses = preds.head().argMax(-1);
          if (spec.task() == ModelSpec.Task.CLASSIFICATION) {
            lossSum += mean * b.size();
            predicted += b.size();
            correct += guesses.toType(DataType.FLOAT32, false).eq(labels).sum()
                .toType(DataType.INT64, false).getLong();
          } else {
            NDArray targets = labels.toType(DataType.INT64, false);
            NDArray counted = targets.gte(0);
            long n = counted.sum().toType(DataType.INT64, false).getLong();
            lossSum += (double) mean * n;
            predicted += n;
            correct += guesses.toType(DataType.INT64, false).eq(targets).logicalAnd(counted).sum()
                .toType(DataType.INT64, false).getLong();
          }
        }
      }
    }
    return new EvalResult(lossSum / Math.max(1, predicted), (double) correct / Math.max(1, predicted), count);
  }

  /**
   * Samples per forward pass: 1,000 for a classifier; for a token model as many as keep the
   * logits {@code (batch, seq, vocabulary)} under 2^25 floats (128 MiB), e.g. 2 for GPT-Mini.
   */
  private int batchSize() {
    if (spec.task() == ModelSpec.Task.CLASSIFICATION) {
      return BATCH;
    }
    long perSample = (long) spec.sampleSize() * spec.numClasses();
    return (int) Math.max(1, Math.min(BATCH, (1L << 25) / perSample));
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
