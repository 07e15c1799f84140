package io.flock.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross entropy of per-position logits {@code (batch, seq, vocabulary)} against target ids
 * {@code (batch, seq)}, averaged over the positions whose target is >= 0. A causal language model
 * uses every position (targets = the input shifted by one); a masked language model marks the
 * positions it does not predict with {@link #IGNORE}, BERT's loss over the masked tokens only
 * (Devlin et al. 2019, Sec. 3.1). The logits are the first prediction, the targets the first label.
 */
public final class TokenCrossEntropyLoss extends Loss {

  /** Target of a position that does not count (any negative id does). */
  public static final int IGNORE = -1;

  public TokenCrossEntropyLoss() {
    super("TokenCrossEntropyLoss");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.head();
    NDArray targets = labels.head().toType(DataType.INT64, false);
    NDArray counted = targets.gte(0).toType(DataType.FLOAT32, false);
    NDArray logProbs = logits.logSoftmax(-1)
        .gather(targets.maximum(0).expandDims(-1), -1)
        .squeeze(-1);
    // mean over counted positions; a batch with none counts 0, not NaN
    return logProbs.mul(counted).sum().neg().div(counted.sum().maximum(1f));
  }
}
