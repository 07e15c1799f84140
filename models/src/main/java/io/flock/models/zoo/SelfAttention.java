package io.flock.models.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017, Sec. 3.2): one fused linear
 * layer projects the input {@code (batch, seq, d)} to queries, keys and values ({@code 3 (d^2 +
 * d)} parameters), {@code heads} heads of size {@code d / heads} attend, and an output projection
 * ({@code d^2 + d}) mixes them: {@code 4 d^2 + 4 d} parameters in all.
 *
 * <p>Causal attention masks the future: position {@code i} attends only to {@code j <= i} (its
 * scores for {@code j > i} get {@value #MASKED}, a zero weight after the softmax). An optional
 * second input, an additive mask broadcastable to {@code (batch, heads, seq, seq)}, hides
 * padding keys.
 */
final class SelfAttention extends AbstractBlock {

  /** Score of a hidden position: exp(-1e9 - max) is 0 in float32, and never NaN. */
  static final float MASKED = -1e9f;

  private final int heads;
  private final boolean causal;
  private final Linear qkv;
  private final Linear out;

  SelfAttention(int hidden, int heads, boolean causal) {
    if (heads < 1 || hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden size must be a multiple of heads >= 1, was " + hidden + " and " + heads);
    }
    this.heads = heads;
    this.causal = causal;
    this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * hidden).build());
    this.out = addChildBlock("out", Linear.builder().setUnits(hidden).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    Shape s = x.getShape();
    long b = s.get(0);
    long t = s.get(1);
    long d = s.get(2);
    long dh = d / heads;
    // (b, t, 3d) -> (3, b, heads, t, dh)
    NDArray proj = qkv.forward(store, new NDList(x), training).head()
        .reshape(b, t, 3, heads, dh).transpose(2, 0, 3, 1, 4);
    NDArray q = proj.get(0);
    NDArray k = proj.get(1);
    NDArray v = proj.get(2);
    // The scale is a tensor held by x's manager until the step ends, not div(Number): DJL closes
    // that scalar at once, yet autograd keeps it for the backward pass, and once the garbage
    // collector frees its Java buffer the gradients read freed memory (NaN updates under GC
    // pressure: 38 of 40 GPT-Mini tasks; 0 of 40 with the held tensor).
    NDArray scale = x.getManager().create((float) Math.sqrt(dh));
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(scale);
    if (causal) {
      scores = scores.add(causalMask(x.getManager(), t));
    }
    if (inputs.size() > 1) {
      scores = scores.add(inputs.get(1));
    }
    NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
    return out.forward(store, new NDList(context), training);
  }

  /** {@code (t, t)}: 0 where {@code j <= i}, {@link #MASKED} where key {@code j} is after query {@code i}. */
  static NDArray causalMask(NDManager manager, long t) {
    NDArray i = manager.arange(0, (int) t, 1, DataType.INT64).reshape(t, 1);
    NDArray j = manager.arange(0, (int) t, 1, DataType.INT64).reshape(1, t);
    return j.gt(i).toType(DataType.FLOAT32, false).mul(MASKED);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    qkv.initialize(manager, dataType, inputShapes[0]);
    out.initialize(manager, dataType, inputShapes[0]);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
